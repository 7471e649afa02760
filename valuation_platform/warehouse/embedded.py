"""The embedded Postgres: a pip-installed server (pgserver) under a git-ignored folder.

Started on demand and shared by every process that asks for it (the CLI, Dagster run workers, dbt,
tests); pgserver reference-counts its users and stops the server when the last one exits.
"""

from __future__ import annotations

import threading
from pathlib import Path

import psycopg
from psycopg import sql

from valuation_platform.warehouse.settings import DEFAULT_DBNAME, DatabaseSettings, project_home

_lock = threading.Lock()
_servers: dict[Path, object] = {}


def embedded_settings(dbname: str = DEFAULT_DBNAME, pgdata: Path | None = None) -> DatabaseSettings:
    """Start (or join) the embedded server and make sure ``dbname`` exists in it."""
    import pgserver  # heavy import, only when the embedded server is actually wanted

    pgdata = (pgdata or project_home() / "pgdata").resolve()
    with _lock:
        server = _servers.get(pgdata)
        if server is None:
            # pgserver's own mkdir is not race-safe (two processes starting on a fresh clone); its initdb and
            # start run under its inter-process lock, so creating the folder first is all that is needed
            pgdata.mkdir(parents=True, exist_ok=True)
            server = pgserver.get_server(pgdata, cleanup_mode="stop")
            _servers[pgdata] = server
    admin = DatabaseSettings.from_url(server.get_uri())  # type: ignore[attr-defined]
    ensure_database(admin.with_dbname("postgres"), dbname)
    return admin.with_dbname(dbname)


def ensure_database(admin: DatabaseSettings, dbname: str) -> None:
    with psycopg.connect(admin.url, autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", (dbname,)).fetchone()
        if not exists:
            try:
                conn.execute(sql.SQL("create database {}").format(sql.Identifier(dbname)))
            except (psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation):
                pass  # another process won the race (caught by the catalog's unique index when simultaneous)


def drop_database(admin: DatabaseSettings, dbname: str) -> None:
    with psycopg.connect(admin.with_dbname("postgres").url, autocommit=True) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(dbname)))
