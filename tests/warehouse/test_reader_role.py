"""The BI reader role the bootstrap creates: it reads marts (tables there before and after the grant), and
cannot read raw, write to marts or create tables there. Checked by Postgres itself, logged in as vp_reader."""

from __future__ import annotations

import os

import psycopg
import pytest

from valuation_platform.warehouse.bootstrap import READER_PASSWORD_SETTING, READER_ROLE, ensure_tables
from valuation_platform.warehouse.settings import DatabaseSettings


def as_reader(db: DatabaseSettings) -> psycopg.Connection:
    reader = DatabaseSettings(db.host, db.port, READER_ROLE, os.environ.get(READER_PASSWORD_SETTING, ""), db.dbname)
    return psycopg.connect(reader.url, autocommit=True)


def test_reader_reads_marts_only_and_cannot_write(fresh_db):
    with psycopg.connect(fresh_db.url, autocommit=True) as owner:
        owner.execute("create schema if not exists marts")
        owner.execute("create table marts.before_bootstrap (x int)")
        owner.execute("insert into marts.before_bootstrap values (1), (2)")
    with psycopg.connect(fresh_db.url) as owner:
        ensure_tables(owner, [])  # creates raw.quarantine and the role with its grants
        owner.execute("create table marts.built_later (y text)")  # as dbt does on its next build
        owner.execute("insert into marts.built_later values ('a')")
        owner.commit()

    with as_reader(fresh_db) as reader:
        assert reader.execute("select sum(x) from marts.before_bootstrap").fetchone() == (3,)
        assert reader.execute("select y from marts.built_later").fetchall() == [("a",)]
        for statement in (
            "select count(*) from raw.quarantine",
            "insert into marts.built_later values ('b')",
            "delete from marts.before_bootstrap",
            "create table marts.mine (z int)",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                reader.execute(statement)


def test_bootstrap_twice_is_a_no_op(fresh_db):
    with psycopg.connect(fresh_db.url) as owner:
        ensure_tables(owner, [])
        ensure_tables(owner, [])
        assert owner.execute("select has_schema_privilege(%s, 'marts', 'USAGE')", (READER_ROLE,)).fetchone() == (True,)
        assert owner.execute("select has_schema_privilege(%s, 'raw', 'USAGE')", (READER_ROLE,)).fetchone() == (False,)
