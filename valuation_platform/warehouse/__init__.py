"""Postgres: connection settings, the embedded server, schema bootstrap and bulk upsert. No Dagster."""
