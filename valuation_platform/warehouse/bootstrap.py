"""Idempotent creation of the schemas and the Python-written tables."""

from __future__ import annotations

from collections.abc import Iterable

import psycopg
from psycopg import sql

from valuation_platform.warehouse.settings import SCHEMAS
from valuation_platform.warehouse.tables import PARTITION_HASHES, QUARANTINE, TableSpec

# One lock id for all DDL so concurrent run workers do not race on "create table if not exists".
_DDL_LOCK = 7_311_942


def ensure_schemas(conn: psycopg.Connection) -> None:
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s)", (_DDL_LOCK,))
        for schema in SCHEMAS:
            conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))


def ensure_tables(conn: psycopg.Connection, specs: Iterable[TableSpec]) -> None:
    specs = [QUARANTINE, PARTITION_HASHES, *specs]
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s)", (_DDL_LOCK,))
        for schema in SCHEMAS:
            conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
        for spec in specs:
            for statement in spec.ddl():
                conn.execute(statement)
