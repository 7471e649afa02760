"""Bulk upsert: COPY into a temporary table, then ``INSERT ... ON CONFLICT`` on the natural key.

COPY is the fastest way into Postgres; the conflict clause makes every load idempotent (a re-run never
duplicates a row and never loses one). Rows whose values did not change are not rewritten, so a re-run
reports them as unchanged and leaves no dead tuples behind.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import polars as pl
import psycopg
from psycopg import sql

from valuation_platform.warehouse.tables import LINEAGE_COLUMNS, TableSpec

COPY_CHUNK_BYTES = 8 * 1024 * 1024
_STAGE_IDS = itertools.count()


@dataclass(frozen=True)
class UpsertResult:
    table: str
    rows_in: int
    inserted: int
    updated: int
    # rows this load wrote per ``_partition_key`` (what a run reports, instead of a count(*) of the table)
    partition_rows: dict[str, int] = field(default_factory=dict)
    deleted: int = 0  # old rows a partition replace removed (0 for an upsert, which never deletes)

    @property
    def unchanged(self) -> int:
        return self.rows_in - self.inserted - self.updated


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, default=str, sort_keys=True)
    return value


def to_frame(rows: pl.DataFrame | Sequence[Mapping[str, Any]], spec: TableSpec) -> pl.DataFrame:
    """A frame with only the spec's declared columns; nested values become JSON text, NaN becomes NULL."""
    if isinstance(rows, pl.DataFrame):
        frame = rows
    else:
        declared = [c for c in spec.columns]
        seen: set[str] = set()
        for row in rows:
            seen.update(row.keys())
        extra = sorted(seen - set(spec.all_columns))
        if extra:
            raise ValueError(f"{spec.qualified}: columns {extra} are not declared in its TableSpec")
        frame = pl.DataFrame(
            {c: [_jsonable(r.get(c)) for r in rows] for c in declared},
            strict=False,
        )
    unknown = [c for c in frame.columns if c not in spec.all_columns]
    if unknown:
        raise ValueError(f"{spec.qualified}: columns {unknown} are not declared in its TableSpec")
    missing_keys = [k for k in spec.key if k not in frame.columns]
    if missing_keys:
        raise ValueError(f"{spec.qualified}: rows lack key columns {missing_keys}")
    fixes = []
    for name, dtype in frame.schema.items():
        if dtype.is_float():
            fixes.append(pl.col(name).fill_nan(None))
        elif isinstance(dtype, (pl.List, pl.Struct, pl.Array)):
            fixes.append(pl.col(name).map_elements(lambda v: json.dumps(v, default=str), return_dtype=pl.Utf8))
        elif dtype == pl.Null:
            fixes.append(pl.col(name).cast(pl.Utf8))
    return frame.with_columns(fixes) if fixes else frame


def copy_frame(conn: psycopg.Connection, target: sql.Composable, frame: pl.DataFrame) -> None:
    """COPY ``frame`` (columns named as the target's) into ``target`` as CSV, in bounded chunks."""
    ids = sql.SQL(", ").join(map(sql.Identifier, frame.columns))
    statement = sql.SQL("copy {} ({}) from stdin with (format csv, header true)").format(target, ids)
    with conn.cursor() as cur, cur.copy(statement) as copy:
        payload = frame.write_csv().encode()
        for start in range(0, len(payload), COPY_CHUNK_BYTES):
            copy.write(payload[start : start + COPY_CHUNK_BYTES])


def with_lineage(
    frame: pl.DataFrame, spec: TableSpec, source: str | None, partition_key: str | None, fetched_at: datetime | None
) -> pl.DataFrame:
    """``frame`` with the lineage columns every raw row carries (a per-row ``_partition_key`` is kept)."""
    if not spec.lineage:
        return frame
    lineage = [
        pl.lit(source or "unknown").alias("_source"),
        pl.lit(fetched_at or datetime.now(timezone.utc)).dt.convert_time_zone("UTC").alias("_fetched_at"),
    ]
    if partition_key is not None or "_partition_key" not in frame.columns:  # per-row keys may come with the rows
        lineage.append(pl.lit(partition_key, dtype=pl.Utf8).alias("_partition_key"))
    return frame.with_columns(lineage)


def upsert(
    conn: psycopg.Connection,
    spec: TableSpec,
    rows: pl.DataFrame | Sequence[Mapping[str, Any]],
    *,
    source: str | None = None,
    partition_key: str | None = None,
    fetched_at: datetime | None = None,
) -> UpsertResult:
    """Load ``rows`` into ``spec``'s table; the last row wins when a batch repeats a key."""
    frame = with_lineage(to_frame(rows, spec), spec, source, partition_key, fetched_at)
    if frame.height == 0:
        return UpsertResult(spec.qualified, 0, 0, 0)

    columns = frame.columns
    ids = sql.SQL(", ").join(map(sql.Identifier, columns))
    key_ids = sql.SQL(", ").join(map(sql.Identifier, spec.key))
    compared = [c for c in columns if c not in spec.key and c not in LINEAGE_COLUMNS]
    # A fresh name per call: inside a caller's open transaction ours is only a savepoint, so an
    # "on commit drop" table from an earlier call may still exist.
    stage = sql.Identifier(f"_stage_{spec.name}_{next(_STAGE_IDS)}")

    with conn.transaction():
        conn.execute(
            sql.SQL("create temp table {} on commit drop as select {} from {} with no data").format(
                stage, ids, spec.identifier
            )
        )
        # Only a batch that repeats a key pays for ordering it (the last occurrence wins).
        repeats = frame.select(spec.key).is_duplicated().any()
        if repeats:
            conn.execute(sql.SQL("alter table {} add column _ord bigint generated always as identity").format(stage))
        copy_frame(conn, stage, frame)

        if compared:
            target = sql.Identifier(spec.name)
            on_conflict = sql.SQL("do update set {} where ({}) is distinct from ({})").format(
                sql.SQL(", ").join(
                    sql.SQL("{} = excluded.{}").format(sql.Identifier(c), sql.Identifier(c))
                    for c in columns
                    if c not in spec.key
                ),
                sql.SQL(", ").join(sql.SQL("{}.{}").format(target, sql.Identifier(c)) for c in compared),
                sql.SQL(", ").join(sql.SQL("excluded.{}").format(sql.Identifier(c)) for c in compared),
            )
        else:
            on_conflict = sql.SQL("do nothing")
        statement = sql.SQL(
            "with upserted as ("
            " insert into {table} as {alias} ({ids})"
            " {select}"
            " on conflict ({keys}) {on_conflict}"
            " returning (xmax = 0) as inserted)"
            " select count(*) filter (where inserted), count(*) filter (where not inserted) from upserted"
        ).format(
            table=spec.identifier,
            alias=sql.Identifier(spec.name),
            ids=ids,
            keys=key_ids,
            select=(
                sql.SQL("select distinct on ({keys}) {ids} from {stage} order by {keys}, _ord desc")
                if repeats
                else sql.SQL("select {ids} from {stage}")
            ).format(keys=key_ids, ids=ids, stage=stage),
            on_conflict=on_conflict,
        )
        inserted, updated = conn.execute(statement).fetchone()  # type: ignore[misc]
    return UpsertResult(spec.qualified, frame.height, int(inserted), int(updated), partition_rows(frame))


def partition_rows(frame: pl.DataFrame) -> dict[str, int]:
    if "_partition_key" not in frame.columns:
        return {}
    counts = frame.group_by("_partition_key").len().drop_nulls("_partition_key").sort("_partition_key")
    return dict(zip(counts["_partition_key"].to_list(), counts["len"].to_list()))


def copy_only(conn: psycopg.Connection, spec: TableSpec, frame: pl.DataFrame) -> int:
    """A plain COPY of the same rows into an empty temp table: the physical limit the upsert is measured against."""
    frame = to_frame(frame, spec)
    ids = sql.SQL(", ").join(map(sql.Identifier, frame.columns))
    stage = sql.Identifier(f"_plain_copy_{spec.name}_{next(_STAGE_IDS)}")
    with conn.transaction():
        conn.execute(
            sql.SQL("create temp table {} on commit drop as select {} from {} with no data").format(
                stage, ids, spec.identifier
            )
        )
        copy_frame(conn, stage, frame)
    return frame.height
