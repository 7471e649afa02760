"""Deferred index build for a load that rewrites most of a table.

COPY into a table maintains every btree row by row (a random descent per index per row); building the index
once after the COPY is a single sort. So a load whose written rows outnumber the rows it keeps drops the
table's indexes (the primary key included), COPYs, and builds them again in the same transaction: a failure
anywhere rolls the drop back with the rows, and a duplicate key fails the primary key's build as it would
have failed the COPY. The table itself stays (no rename swap), so dependent views, grants and comments are
untouched.

The price is an ACCESS EXCLUSIVE lock for the load's duration: readers wait for the new contents instead of
reading the old ones. It is taken before the load touches the table, so two such loads queue rather than
deadlock on a lock upgrade.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
from psycopg import sql

from valuation_platform.warehouse.tables import PARTITION_HASHES, TableSpec

# Below this many written rows the per-row index maintenance costs well under a second: not worth locking
# readers out.
REBUILD_MIN_ROWS = 50_000
# Rebuild when the rows the table keeps are at most this many times the rows written. Measured on
# raw.sec_companyfacts (benchmarks/bench_sec_load.py): a row the index build re-sorts costs about a third of
# what COPY's per-row index insert costs, so break-even is near 1.5; 1.0 leaves a margin.
REBUILD_KEPT_PER_WRITTEN = 1.0


@dataclass(frozen=True)
class _Index:
    name: str
    constraint: str | None  # "PRIMARY KEY (...)" / "UNIQUE (...)" for an index that backs a constraint
    definition: str  # pg_get_indexdef: the CREATE INDEX statement


def worth_rebuilding(conn: psycopg.Connection, spec: TableSpec, written: int, replaced: int) -> bool:
    """Whether a load writing ``written`` rows and removing about ``replaced`` stored ones should rebuild the
    indexes. The table's size comes from the catalog estimate and the partition hashes (the larger), so
    deciding takes no lock on the table."""
    if written < REBUILD_MIN_ROWS:
        return False
    stored = conn.execute(
        sql.SQL(
            "select greatest((select reltuples from pg_class where oid = %s::regclass),"
            " (select coalesce(sum(row_count), 0) from {} where table_name = %s))"
        ).format(PARTITION_HASHES.identifier),
        (spec.qualified, spec.qualified),
    ).fetchone()[0]  # type: ignore[index]
    return max(float(stored) - replaced, 0.0) <= written * REBUILD_KEPT_PER_WRITTEN


def lock(conn: psycopg.Connection, spec: TableSpec) -> None:
    """Lock ``spec``'s table for the rest of the caller's transaction, before the load first reads it."""
    conn.execute(sql.SQL("lock table {} in access exclusive mode").format(spec.identifier))


@contextmanager
def indexes_dropped(conn: psycopg.Connection, spec: TableSpec) -> Iterator[None]:
    """Drop the table's indexes, run the block (the COPY), build them again. Where an index cannot be dropped
    (a foreign key or a view depends on it) every index stays and the block loads through them."""
    indexes = _indexes(conn, spec)
    try:
        with conn.transaction():  # a savepoint: a refused drop leaves every index in place
            for index in indexes:
                conn.execute(_drop(spec, index))
    except psycopg.errors.DependentObjectsStillExist:
        indexes = []
    yield
    for index in indexes:
        conn.execute(_create(spec, index))


def _indexes(conn: psycopg.Connection, spec: TableSpec) -> list[_Index]:
    found = conn.execute(
        "select coalesce(k.conname, c.relname), pg_get_constraintdef(k.oid), pg_get_indexdef(i.indexrelid)"
        " from pg_index i join pg_class c on c.oid = i.indexrelid"
        " left join pg_constraint k on k.conindid = i.indexrelid and k.conrelid = i.indrelid"
        "  and k.contype in ('p', 'u')"
        " where i.indrelid = %s::regclass order by k.oid is null, c.relname",  # the primary key first
        (spec.qualified,),
    ).fetchall()
    return [_Index(name, constraint, definition) for name, constraint, definition in found]


def _drop(spec: TableSpec, index: _Index) -> sql.Composable:
    if index.constraint:
        return sql.SQL("alter table {} drop constraint {}").format(spec.identifier, sql.Identifier(index.name))
    return sql.SQL("drop index {}").format(sql.Identifier(spec.schema, index.name))


def _create(spec: TableSpec, index: _Index) -> sql.Composable:
    if index.constraint:
        return sql.SQL("alter table {} add constraint {} {}").format(
            spec.identifier, sql.Identifier(index.name), sql.SQL(index.constraint)  # type: ignore[arg-type]
        )
    return sql.SQL(index.definition)  # type: ignore[arg-type]
