"""Partition replace: where the natural key is scoped by a partition (a company's facts, a filing's lines,
a day's computed rows), delete the partition's rows and COPY the new ones straight into the table, in one
transaction.

This is the speed of the disk: no staging table, no ``ON CONFLICT`` probe per row. A content hash per
partition (``raw.partition_hashes``, written in the same transaction) makes a re-run of an unchanged
partition write nothing. A failure anywhere rolls the whole transaction back, so the old rows remain.
Partitions the load names but has no rows for (``empty_scopes``) are emptied: what a re-run no longer
produces disappears.

A load that writes more rows than the table keeps (a first load, a restatement of every partition) takes the
table's exclusive lock, truncates instead of deleting when it replaces every row, and COPYs with the indexes
dropped and built after (:mod:`valuation_platform.warehouse.rebuild`); the same transaction, the same result.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from datetime import datetime, timezone
from typing import Any

import polars as pl
import psycopg
from psycopg import sql

from valuation_platform.warehouse.rebuild import indexes_dropped, lock, worth_rebuilding
from valuation_platform.warehouse.tables import LINEAGE_COLUMNS, PARTITION_HASHES, TableSpec
from valuation_platform.warehouse.upsert import UpsertResult, copy_frame, partition_rows, to_frame, with_lineage

_SCOPE = "__scope"


def replace_partitions(
    conn: psycopg.Connection,
    spec: TableSpec,
    rows: pl.DataFrame | Sequence[Mapping[str, Any]],
    *,
    scope: Sequence[str],
    empty_scopes: Sequence[tuple[Any, ...]] = (),
    source: str | None = None,
    partition_key: str | None = None,
    fetched_at: datetime | None = None,
    rebuild: bool | None = None,
) -> UpsertResult:
    """Replace every partition (distinct values of the ``scope`` columns) ``rows`` holds, and empty those in
    ``empty_scopes``. The last row wins when a batch repeats a key.

    A load that writes more rows than the table keeps (a first load, every company restated) COPYs with the
    indexes dropped and builds them after (:mod:`valuation_platform.warehouse.rebuild`); ``rebuild`` forces
    that choice either way, ``None`` decides from the table's size.

    Reported as an upsert: ``inserted`` = rows of partitions new to the table, ``updated`` = rows of
    partitions rewritten, ``unchanged`` = rows of partitions whose content hash matched (not written).
    """
    missing = [c for c in scope if c not in spec.all_columns]
    if missing:
        raise ValueError(f"{spec.qualified}: scope columns {missing} are not declared")
    frame = with_lineage(to_frame(rows, spec), spec, source, partition_key, fetched_at)
    if frame.height and frame.select(spec.key).is_duplicated().any():
        frame = frame.unique(subset=list(spec.key), keep="last", maintain_order=True)
    frame = frame.with_columns(_scope_text(scope))
    hashes = _partition_hashes(frame, spec)
    empty = pl.DataFrame(list(empty_scopes), schema=list(scope), orient="row") if empty_scopes else None
    if empty is not None:
        empty = empty.with_columns(_scope_text(scope)).filter(~pl.col(_SCOPE).is_in(hashes[_SCOPE].to_list()))

    with conn.transaction():
        stored = _stored_hashes(conn, spec, hashes[_SCOPE].to_list())
        unchanged = [s for s, h, n in hashes.iter_rows() if stored.get(s) == (h, n)]
        if rebuild is None:
            written = frame.height - int(hashes.filter(pl.col(_SCOPE).is_in(unchanged))["rows"].sum() or 0)
            replaced = sum(n for s, (_, n) in stored.items() if s not in unchanged)
            rebuild = worth_rebuilding(conn, spec, written, replaced)
        if rebuild:
            lock(conn, spec)
        if unchanged and not _rows_present(conn, spec, frame.filter(pl.col(_SCOPE).is_in(unchanged)), scope,
                                           sum(stored[s][1] for s in unchanged)):
            unchanged = []  # rows went missing behind the hash table's back: rewrite, never trust it over the data
        write = frame.filter(~pl.col(_SCOPE).is_in(unchanged))
        targets = write.select(*scope, _SCOPE).unique(_SCOPE)
        if empty is not None:
            targets = pl.concat([targets, empty.select(targets.columns).cast(targets.schema)])
        deleted = _delete_scopes(conn, spec, targets, scope, rebuild) if targets.height else 0
        if write.height:
            with indexes_dropped(conn, spec) if rebuild else nullcontext():
                copy_frame(conn, spec.identifier, write.drop(_SCOPE))
        _record_hashes(conn, spec, hashes.filter(~pl.col(_SCOPE).is_in(unchanged)),
                       [] if empty is None else empty[_SCOPE].to_list())

    new_rows = write.filter(~pl.col(_SCOPE).is_in(list(stored))).height
    return UpsertResult(spec.qualified, frame.height, new_rows, write.height - new_rows, partition_rows(frame),
                        deleted)


def _scope_text(scope: Sequence[str]) -> pl.Expr:
    return pl.concat_str([pl.col(c).cast(pl.Utf8).fill_null("") for c in scope], separator="|").alias(_SCOPE)


def _partition_hashes(frame: pl.DataFrame, spec: TableSpec) -> pl.DataFrame:
    """Per scope: an order-independent hash of its rows' content (lineage excluded) and its row count.

    Row hashes are summed in two 32-bit halves, so no sum overflows below 2^32 rows. A polars upgrade
    may change the row hash: the first load after it rewrites every partition once, nothing worse.
    """
    content = sorted(c for c in frame.columns if c not in LINEAGE_COLUMNS and c != _SCOPE)
    if not frame.height:
        return pl.DataFrame(schema={_SCOPE: pl.Utf8, "hash": pl.Utf8, "rows": pl.UInt32})
    signature = ",".join(f"{c}:{frame.schema[c]}" for c in content)
    row_hash = frame.select(content).hash_rows(seed=0, seed_1=1, seed_2=2, seed_3=3)
    return (
        frame.select(_SCOPE).with_columns(hi=(row_hash // (1 << 32)), lo=(row_hash % (1 << 32)))
        .group_by(_SCOPE, maintain_order=True)
        .agg(pl.col("hi").sum(), pl.col("lo").sum(), pl.len().alias("rows"))
        .select(
            _SCOPE,
            pl.concat_str([pl.lit(f"{zlib.crc32(signature.encode()):x}"), pl.col("hi").cast(pl.Utf8),
                           pl.col("lo").cast(pl.Utf8)], separator=":").alias("hash"),
            pl.col("rows"),
        )
    )


def _stored_hashes(conn: psycopg.Connection, spec: TableSpec, scopes: list[str]) -> dict[str, tuple[str, int]]:
    if not scopes:
        return {}
    found = conn.execute(
        sql.SQL("select scope, content_hash, row_count from {} where table_name = %s and scope = any(%s)").format(
            PARTITION_HASHES.identifier
        ),
        (spec.qualified, scopes),
    ).fetchall()
    return {scope: (content_hash, rows) for scope, content_hash, rows in found}


def _scope_join(
    spec: TableSpec, targets: pl.DataFrame, scope: Sequence[str]
) -> tuple[sql.Composable, sql.Composable, list[Any]]:
    """``unnest(%s::type[], ...) as s(cols)`` and ``t.col = s.col and ...``: the table's rows in ``targets``."""
    types = [spec.all_columns[c].replace(" not null", "") for c in scope]
    unnest = sql.SQL("unnest({}) as s({})").format(
        sql.SQL(", ").join(sql.SQL("%s::{}[]").format(sql.SQL(t)) for t in types),
        sql.SQL(", ").join(map(sql.Identifier, scope)),
    )
    match = sql.SQL(" and ").join(
        sql.SQL("t.{c} = s.{c}").format(c=sql.Identifier(c)) for c in scope
    )
    return unnest, match, [targets[c].to_list() for c in scope]


def _rows_present(
    conn: psycopg.Connection, spec: TableSpec, frame: pl.DataFrame, scope: Sequence[str], expected: int
) -> bool:
    unnest, match, params = _scope_join(spec, frame.select(scope).unique(), scope)
    query = sql.SQL("select count(*) from {} t, {} where {}").format(spec.identifier, unnest, match)
    return conn.execute(query, params).fetchone()[0] == expected  # type: ignore[index]


def _delete_scopes(
    conn: psycopg.Connection, spec: TableSpec, targets: pl.DataFrame, scope: Sequence[str], locked: bool
) -> int:
    """Delete the rows of ``targets``. Under the rebuild's exclusive lock, a load that replaces every row of
    the table truncates it instead: no dead tuples for the index build to wade through, none left to vacuum."""
    unnest, match, params = _scope_join(spec, targets, scope)
    if locked:
        total, matched = conn.execute(
            sql.SQL("select count(*), count(s.{}) from {} t left join {} on {}").format(
                sql.Identifier(scope[0]), spec.identifier, unnest, match), params
        ).fetchone()  # type: ignore[misc]
        if total == matched:
            try:
                with conn.transaction():  # a savepoint: a refused truncate falls back to the delete
                    conn.execute(sql.SQL("truncate {}").format(spec.identifier))
                return int(total)
            except psycopg.errors.FeatureNotSupported:  # a foreign key references the table
                pass
    return conn.execute(sql.SQL("delete from {} t using {} where {}").format(spec.identifier, unnest, match),
                        params).rowcount


def _record_hashes(conn: psycopg.Connection, spec: TableSpec, hashes: pl.DataFrame, emptied: list[str]) -> None:
    table = PARTITION_HASHES.identifier
    if emptied:
        conn.execute(sql.SQL("delete from {} where table_name = %s and scope = any(%s)").format(table),
                     (spec.qualified, emptied))
    if hashes.height:
        conn.execute(
            sql.SQL(
                "insert into {} (table_name, scope, content_hash, row_count, loaded_at)"
                " select %s, s.scope, s.content_hash, s.row_count, %s"
                " from unnest(%s::text[], %s::text[], %s::int[]) as s(scope, content_hash, row_count)"
                " on conflict (table_name, scope) do update set content_hash = excluded.content_hash,"
                " row_count = excluded.row_count, loaded_at = excluded.loaded_at"
            ).format(table),
            (spec.qualified, datetime.now(timezone.utc), hashes[_SCOPE].to_list(), hashes["hash"].to_list(),
             hashes["rows"].to_list()),
        )
