"""Idempotent creation of the schemas, the Python-written tables and the BI reader role."""

from __future__ import annotations

import os
from collections.abc import Iterable

import psycopg
from psycopg import sql

from valuation_platform.warehouse.settings import SCHEMAS
from valuation_platform.warehouse.tables import PARTITION_HASHES, QUARANTINE, TableSpec

READER_ROLE = "vp_reader"
READER_PASSWORD_SETTING = "VP_READER_PASSWORD"

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
        ensure_reader_role(conn)


def ensure_reader_role(conn: psycopg.Connection) -> None:
    """``vp_reader``: what BI tools log in as. It reads ``marts`` (today's tables and, through default
    privileges, every table dbt creates there later) and nothing else: no other schema, no writes.

    Its password is ``VP_READER_PASSWORD``; unset, the role has none (the embedded server trusts local
    socket connections). Created once: the grants are not repeated on every connection, they would touch the
    catalog under running dbt builds. Where the warehouse user may not create roles (a managed server), an
    administrator creates it with the same statements and this leaves it alone."""
    exists = conn.execute("select 1 from pg_roles where rolname = %s", (READER_ROLE,)).fetchone() is not None
    if exists and conn.execute("select has_schema_privilege(%s, 'marts', 'USAGE')", (READER_ROLE,)).fetchone()[0]:
        return  # a role is per server, its grants per database: this database is done
    password = os.environ.get(READER_PASSWORD_SETTING)
    role = sql.Identifier(READER_ROLE)
    try:
        with conn.transaction():  # a savepoint: lacking CREATEROLE must not undo the tables above
            if not exists:
                conn.execute(sql.SQL("create role {} login" + (" password {}" if password else "")).format(
                    role, *([sql.Literal(password)] if password else [])))
            conn.execute(sql.SQL("grant connect on database {} to {}").format(
                sql.Identifier(conn.info.dbname), role))
            conn.execute(sql.SQL("grant usage on schema marts to {}").format(role))
            conn.execute(sql.SQL("grant select on all tables in schema marts to {}").format(role))
            conn.execute(sql.SQL("alter default privileges in schema marts grant select on tables to {}").format(role))
    except (psycopg.errors.InsufficientPrivilege, psycopg.errors.DuplicateObject, psycopg.errors.UniqueViolation):
        pass  # no CREATEROLE here (an administrator runs these grants), or another process won the race
