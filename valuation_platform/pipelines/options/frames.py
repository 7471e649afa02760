"""Warehouse I/O the options steps share: query -> pandas frame, computed rows -> typed polars frame, and
the partition-by-partition write (replace each partition whole, so what a re-run no longer produces disappears)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import psycopg
from psycopg import sql

from valuation_platform.pipelines.report import load_report, merge, table_report
from valuation_platform.warehouse.tables import TableSpec
from valuation_platform.warehouse.replace import replace_partitions
from valuation_platform.warehouse.upsert import UpsertResult

NEWEST_FIRST = "snapshot_ts desc, underlying, expiry"  # preview order of the contract/expiry tables


def read_frame(
    conn: psycopg.Connection, query: str | sql.Composable, params: Sequence[Any] | dict[str, Any] = ()
) -> pd.DataFrame:
    """A query's rows as a pandas frame (timestamptz columns tz-aware UTC)."""
    cur = conn.execute(query, params)
    columns = [d.name for d in cur.description or []]
    frame = pd.DataFrame.from_records(cur.fetchall(), columns=columns)
    for name in columns:
        if frame[name].dtype == object and len(frame) and isinstance(frame[name].iloc[0], datetime):
            frame[name] = pd.to_datetime(frame[name], utc=True)
    return frame


def prune_partitions(
    conn: psycopg.Connection,
    spec: TableSpec,
    keep: Iterable[tuple[Any, ...]],
    partition_keys: Sequence[str],
) -> int:
    """Delete rows of ``partition_keys`` whose key is not in ``keep``: what a re-run no longer produces."""
    key_ids = sql.SQL(", ").join(map(sql.Identifier, spec.key))
    existing = conn.execute(
        sql.SQL("select {} from {} where _partition_key = any(%s)").format(key_ids, spec.identifier),
        (list(partition_keys),),
    ).fetchall()
    wanted = {_normalize_key(tuple(k)) for k in keep}
    stale = [row for row in existing if _normalize_key(tuple(row)) not in wanted]
    if not stale:
        return 0
    where = sql.SQL(" and ").join(sql.SQL("{} = %s").format(sql.Identifier(c)) for c in spec.key)
    with conn.transaction(), conn.cursor() as cur:
        cur.executemany(sql.SQL("delete from {} where {}").format(spec.identifier, where), stale)
    return len(stale)


def _key_value(value: Any) -> Any:
    if isinstance(value, (datetime, pd.Timestamp)):
        return pd.Timestamp(value).tz_convert("UTC").to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _normalize_key(key: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(_key_value(v) for v in key)


# pandas has no pyarrow here, and the rows carry python dates and pandas timestamps: typed polars
# columns are built from each TableSpec's Postgres types instead.
_POLARS_TYPES: dict[str, pl.DataType] = {
    "text": pl.Utf8(),
    "jsonb": pl.Utf8(),
    "date": pl.Date(),
    "timestamptz": pl.Datetime("us", "UTC"),
    "double precision": pl.Float64(),
    "bigint": pl.Int64(),
    "integer": pl.Int32(),
    "boolean": pl.Boolean(),
}


def _polars_type(pg_type: str) -> pl.DataType:
    return _POLARS_TYPES[pg_type.replace(" not null", "")]


def _clean(value: Any, dtype: pl.DataType) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if dtype.is_integer():
        return int(value)
    if isinstance(dtype, pl.Datetime):
        return pd.Timestamp(value).tz_convert("UTC").to_pydatetime()
    if isinstance(dtype, pl.Date) and isinstance(value, (datetime, pd.Timestamp)):
        return value.date()
    return value


def spec_frame(data: pd.DataFrame | Sequence[dict[str, Any]], spec: TableSpec) -> pl.DataFrame:
    """``data``'s columns of ``spec`` (and a per-row ``_partition_key`` if present), typed polars."""
    records = data if isinstance(data, pd.DataFrame) else pd.DataFrame.from_records(list(data))
    columns = {**spec.columns, "_partition_key": "text"}
    if records.empty:
        return pl.DataFrame(schema={c: _polars_type(t) for c, t in spec.columns.items()})
    series = []
    for name, pg_type in columns.items():
        if name not in records.columns:
            if name == "_partition_key":
                continue
            raise ValueError(f"{spec.qualified}: computed rows lack column {name!r}")
        dtype = _polars_type(pg_type)
        series.append(pl.Series(name, [_clean(v, dtype) for v in records[name].tolist()], dtype=dtype))
    return pl.DataFrame(series)


def total(results: Sequence[UpsertResult], table: str) -> UpsertResult:
    """One load summary (with its rows per partition) for a run that wrote partition by partition."""
    by_partition: dict[str, int] = {}
    for result in results:
        for key, rows in result.partition_rows.items():
            by_partition[key] = by_partition.get(key, 0) + rows
    return UpsertResult(
        table,
        sum(r.rows_in for r in results),
        sum(r.inserted for r in results),
        sum(r.updated for r in results),
        by_partition,
    )


def write_partition(
    conn: psycopg.Connection, spec: TableSpec, frame: pl.DataFrame, partition_key: str, *, source: str
) -> tuple[UpsertResult, int]:
    """Replace one partition's computed rows (what it no longer produces disappears); returns the load and
    the net number of rows the partition lost."""
    result = replace_partitions(conn, spec, frame, scope=["_partition_key"], empty_scopes=[(partition_key,)],
                                source=source, partition_key=partition_key)
    return result, max(result.deleted - (result.inserted + result.updated), 0)


Compute = Callable[[psycopg.Connection, str], "pd.DataFrame | list[dict[str, Any]]"]


def write_partitions(
    conn: psycopg.Connection, spec: TableSpec, partition_keys: Sequence[str], compute: Compute, *, source: str
) -> dict[str, Any]:
    """Compute and write each partition of the run in turn (a backfill holds one day in memory); the
    report counts what this run wrote, per partition, and the rows it pruned."""
    results, pruned = [], 0
    for key in partition_keys:
        result, gone = write_partition(conn, spec, spec_frame(compute(conn, key), spec), key, source=source)
        results.append(result)
        pruned += gone
    order = NEWEST_FIRST if "expiry" in spec.columns else None
    return merge(table_report(conn, spec.qualified, order_by=order),
                 load_report([total(results, spec.qualified)]), {"rows_pruned": pruned})
