"""lib/dagster_instance.pool_connections: Postgres storages keep one pooled connection; others are untouched.

Connections are counted by Postgres itself: ``pg_stat_database.sessions``, the sessions the server has
established to the database, read before and after."""

from __future__ import annotations

import dagster as dg
import psycopg

from tests.support.pipeline import production_storage
from valuation_platform.lib.dagster_instance import pool_connections


def _sessions(admin, dbname: str) -> int:
    with psycopg.connect(admin.url, autocommit=True) as conn:
        conn.execute("select pg_stat_clear_snapshot()")
        return conn.execute("select sessions from pg_stat_database where datname = %s", (dbname,)).fetchone()[0]


def _write_events(instance: dg.DagsterInstance, n: int) -> None:
    @dg.asset
    def counted() -> None:
        return None

    for _ in range(n):
        assert dg.materialize([counted], instance=instance).success


def test_a_pooled_instance_opens_its_connections_once_not_per_event(fresh_db, pg_admin) -> None:
    runs = []
    for pooled in (False, True):
        with dg.instance_for_test(overrides={"storage": production_storage(fresh_db)}) as instance:
            if pooled:
                pool_connections(instance)
                pool_connections(instance)  # a second call (the runner's, after the caller's) keeps the first pool
            _write_events(instance, 1)  # tables made, snapshots stored
            before = _sessions(pg_admin, fresh_db.dbname)
            _write_events(instance, 3)
            runs.append(_sessions(pg_admin, fresh_db.dbname) - before)
    unpooled, pooled = runs
    assert unpooled > 30  # a connection per event and per run-storage read: dozens for three small runs
    assert pooled <= 6, runs  # each storage's one pooled connection, opened at most once more


def test_a_sqlite_instance_is_left_as_dagster_made_it(tmp_path) -> None:
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        engines = {name: getattr(storage, "_engine", None) for name, storage in
                   (("runs", instance.run_storage), ("events", instance.event_log_storage))}
        has_table = instance.event_log_storage.has_table
        pool_connections(instance)
        assert {name: getattr(storage, "_engine", None) for name, storage in
                (("runs", instance.run_storage), ("events", instance.event_log_storage))} == engines
        assert instance.event_log_storage.has_table == has_table
        _write_events(instance, 1)
