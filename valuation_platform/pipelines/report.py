"""What a pipeline step reports, in plain Python: row counts of what it wrote, a markdown preview, the
column schema, quarantined documents. ``lib/metadata.py`` turns a report into Dagster metadata, so steps
stay Dagster-free and testable on their own."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
import psycopg
from psycopg import sql

from valuation_platform.sources.errors import SourceError
from valuation_platform.warehouse.upsert import UpsertResult

PREVIEW_ROWS = 8


class Markdown(str):
    """A report value to show as markdown."""


class Json(dict):
    """A report value to show as JSON."""


class Columns(list):
    """A report value holding a table's ``(name, type)`` columns: the asset's column schema."""


@dataclass(frozen=True)
class Chart:
    """A picture for the asset's page: ``kind`` names the drawing (lib/plots.py RENDERERS), ``data`` holds
    plain columns (name -> values), ``title`` says what it shows. Steps stay free of any plotting library."""

    kind: str
    title: str
    data: Mapping[str, Sequence[Any]]


class IncompleteLoad(RuntimeError):
    """Raised after everything loadable landed, when part of a source stayed unreachable: the step fails
    (and its retry policy re-runs it) but nothing already loaded is lost."""


def _markdown_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    def cell(value: Any) -> str:
        text = "" if value is None else (f"{value:.6g}" if isinstance(value, float) else str(value))
        return text.replace("|", "\\|").replace("\n", " ")[:60]

    head = "| " + " | ".join(columns) + " |\n| " + " | ".join("---" for _ in columns) + " |\n"
    return head + "".join("| " + " | ".join(cell(v) for v in row) + " |\n" for row in rows)


def markdown_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Markdown:
    """A small table for a report (check metadata, previews)."""
    return Markdown(_markdown_table(columns, rows))


def frame_report(frame: pl.DataFrame) -> dict[str, Any]:
    return {
        "dagster/row_count": frame.height,
        "preview": Markdown(_markdown_table(frame.columns, frame.head(PREVIEW_ROWS).rows())),
        "dagster/column_schema": Columns((name, str(dtype)) for name, dtype in frame.schema.items()),
    }


def table_report(conn: psycopg.Connection, qualified: str, order_by: str | None = None) -> dict[str, Any]:
    """Preview and schema of a warehouse table after the load (no count(*): the row count is what the run
    wrote, reported by :func:`load_report`; counting a whole table on every run is a full scan)."""
    schema, name = qualified.split(".", 1)
    ident = sql.Identifier(schema, name)
    order = sql.SQL(" order by {}").format(sql.SQL(order_by)) if order_by else sql.SQL("")
    cur = conn.execute(sql.SQL("select * from {}{} limit %s").format(ident, order), (PREVIEW_ROWS,))
    columns = [d.name for d in cur.description or []]
    preview = cur.fetchall()
    types = conn.execute(
        "select column_name, data_type from information_schema.columns where table_schema = %s and table_name = %s"
        " order by ordinal_position",
        (schema, name),
    ).fetchall()
    return {
        "table": qualified,
        "preview": Markdown(_markdown_table(columns, preview)),
        "dagster/column_schema": Columns(types),
        "dagster/table_name": qualified,
    }


# Dagster copies a run's metadata onto the event of every partition the run materialized, so an item that
# grows with the run's partitions grows with their square in the event log: rows_by_partition of a
# 4,600-company companyfacts backfill was 4,600 maps of 4,600 entries (with its picture, over 600 MB of
# events). Runs over more partitions than this leave such items out (for_partitions).
PARTITION_DETAIL_MAX = 50
PER_PARTITION_ITEMS = ("rows_by_partition",)


def for_partitions(report: Mapping[str, Any], partitions: int) -> dict[str, Any]:
    """``report`` as the metadata of a run that materializes ``partitions`` partitions: beyond
    PARTITION_DETAIL_MAX, without the items that grow with them. (A run of a few sessions that wrote a year of
    history under each session's key keeps its map: it is copied onto a few events only.)"""
    if partitions <= PARTITION_DETAIL_MAX:
        return dict(report)
    return {key: value for key, value in report.items() if key not in PER_PARTITION_ITEMS}


def load_report(results: Sequence[UpsertResult]) -> dict[str, Any]:
    """What this run wrote: ``dagster/row_count`` (rows loaded, summed over the loads of the asset's own
    table, the first result's), per-table insert/update/unchanged counts and rows per partition."""
    out: dict[str, Any] = {}
    if results:
        own = results[0].table
        out["dagster/row_count"] = sum(r.rows_in for r in results if r.table == own)
    by_partition: dict[str, int] = {}
    for result in results:
        prefix = result.table.split(".", 1)[1]
        out[f"{prefix}/rows_in"] = out.get(f"{prefix}/rows_in", 0) + result.rows_in
        out[f"{prefix}/inserted"] = out.get(f"{prefix}/inserted", 0) + result.inserted
        out[f"{prefix}/updated"] = out.get(f"{prefix}/updated", 0) + result.updated
        out[f"{prefix}/unchanged"] = out.get(f"{prefix}/unchanged", 0) + result.unchanged
        if result.table == results[0].table:
            for key, rows in result.partition_rows.items():
                by_partition[key] = by_partition.get(key, 0) + rows
    if by_partition:
        out["rows_by_partition"] = Json(by_partition)
    return out


def quarantine_report(errors: Sequence[SourceError], attempted: int) -> dict[str, Any]:
    out: dict[str, Any] = {"documents_attempted": attempted, "documents_quarantined": len(errors)}
    if errors:
        out["quarantined"] = Markdown(
            _markdown_table(["source", "document", "field", "reason"],
                            [(e.source, e.document, e.field, e.reason) for e in errors])
        )
    return out


def merge(*parts: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part in parts:
        out.update(part)
    return out
