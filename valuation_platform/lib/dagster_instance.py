"""Pooled connections for a Dagster instance on Postgres storage (dagster-postgres), for in-process runs.

dagster-postgres opens a connection per call outside the webserver (NullPool): per event written (a planned
event per asset and per dbt test of each run, then their results: ~4,000 a whole-graph run) and per run-storage
read, each a Postgres backend forked and torn down (~1,100 connections a whole-graph run). The webserver keeps
one pooled connection per storage instead (``optimize_for_webserver``); the runner (lib/runner.py) asks for the
same on the instance it is given, for as long as that instance lives.
"""

from __future__ import annotations

import functools

import dagster as dg

_POOLED = "_vp_pooled"


def pool_connections(instance: dg.DagsterInstance) -> None:
    """Keep one connection per Postgres storage of ``instance`` (run, event log, schedule); others untouched.
    Idempotent: a second call keeps the first pool."""
    for storage in (instance.run_storage, instance.event_log_storage, instance.schedule_storage):
        if not type(storage).__module__.startswith("dagster_postgres") or getattr(storage, _POOLED, False):
            continue
        storage.optimize_for_webserver(statement_timeout=0, pool_recycle=3600, max_overflow=10)
        setattr(storage, _POOLED, True)
    events = instance.event_log_storage
    if type(events).__module__.startswith("dagster_postgres") and not hasattr(events.has_table, "cache_info"):
        # each asset event asks whether the tags table exists, on a second connection beside the pooled one
        # (~500 connections a whole-graph run), and each status read whether a column exists (a schema
        # inspection); the answers cannot change while the instance lives
        events.has_table = functools.cache(events.has_table)  # type: ignore[method-assign]
        events.has_asset_key_col = functools.cache(events.has_asset_key_col)  # type: ignore[method-assign]
