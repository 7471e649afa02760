"""Write the whole workbook: archive what rolled off the 30-day tabs, build every tab from the warehouse,
check the cell budget, write each tab in one call, and remember the editable cells as written (the
baseline the edit sensor diffs against)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

import psycopg

from valuation_platform.analytics.workbook.edits import CELL_LIMIT, cell_budget, cell_text
from valuation_platform.pipelines.report import Json, markdown_table
from valuation_platform.pipelines.workbook.backends import Rows, WorkbookBackend
from valuation_platform.pipelines.workbook.tabs import (
    EDITABLE_TABS, EVENT_DATE_COLUMNS, ROLLING_DAYS, ROLLING_TABS, STATUS, TABS, anchor_date, build_tabs,
    header_index, row_date,
)
from valuation_platform.warehouse.tables.workbook import WORKBOOK_ARCHIVE, WORKBOOK_SNAPSHOT
from valuation_platform.warehouse.upsert import upsert


class CellBudgetExceeded(RuntimeError):
    """The tabs would not fit the spreadsheet's cell limit: nothing was written."""


def read_snapshot(conn: psycopg.Connection) -> dict[tuple[str, str, str], str]:
    """``(tab, row_key, column) -> value`` as the platform last wrote it."""
    rows = conn.execute("select tab, row_key, column_name, coalesce(value, '') from analytics.workbook_snapshot")
    return {(t, k, c): v for t, k, c, v in rows.fetchall()}


def _date_column(values: Rows, tab_date: str | None) -> int | None:
    for column in ((tab_date,) if tab_date else EVENT_DATE_COLUMNS):
        at = header_index(values, column)
        if at is not None:
            return at
    return None


def archive_rows(current: Mapping[str, Rows], since: date, now: datetime) -> list[dict[str, Any]]:
    """Rows of the rolling tabs (as the workbook holds them now) dated before ``since``."""
    out: list[dict[str, Any]] = []
    for tab in ROLLING_TABS:
        values = current.get(tab.name) or []
        at = _date_column(values, tab.date_column)
        if at is None:
            continue
        header = [str(h) for h in values[0]]
        for row in values[1:]:
            day = row_date(row[at]) if at < len(row) else None
            if day is None or day >= since:
                continue
            cells = {h: (v.isoformat() if isinstance(v, (date, datetime)) else v)
                     for h, v in zip(header, row, strict=False)}
            text = json.dumps(cells, sort_keys=True, default=str)
            out.append({"tab": tab.name, "row_key": hashlib.md5(text.encode()).hexdigest(), "row_date": day,
                        "cells": cells, "archived_at": now})
    return out


def snapshot_rows(tabs: Mapping[str, Rows], now: datetime) -> list[dict[str, Any]]:
    """The editable cells and Status of every editable tab, as written."""
    out: list[dict[str, Any]] = []
    for tab in EDITABLE_TABS:
        values = tabs[tab.name]
        header = values[0]
        key_at = header.index(tab.key)
        for row in values[1:]:
            for column in (*tab.editable, STATUS):
                out.append({"tab": tab.name, "row_key": str(row[key_at]), "column_name": column,
                            "value": cell_text(row[header.index(column)]), "written_at": now})
    return out


def write_workbook(conn: psycopg.Connection, backend: WorkbookBackend, *, now: datetime,
                   cell_limit: int = CELL_LIMIT) -> dict[str, Any]:
    since = anchor_date(conn, now.date()) - timedelta(days=ROLLING_DAYS)
    archived = archive_rows(backend.read([t.name for t in ROLLING_TABS]), since, now)
    archive_result = upsert(conn, WORKBOOK_ARCHIVE, archived)
    snapshot = read_snapshot(conn)
    tabs, since = build_tabs(conn, today=now.date(),
                             status=lambda tab, key: snapshot.get((tab, key, STATUS), ""))
    planned = {name: (len(rows), max((len(r) for r in rows), default=1)) for name, rows in tabs.items()}
    others = {name: grid for name, grid in backend.grids().items() if name not in planned}
    budget = cell_budget({**others, **planned}, cell_limit)
    if not budget["within_budget"]:
        raise CellBudgetExceeded(f"the workbook would hold {budget['cells_used']:,} cells, above the "
                                 f"{cell_limit:,} limit; nothing written")
    calls = backend.write_tabs(tabs)
    snap = snapshot_rows(tabs, now)
    with conn.transaction():
        conn.execute("delete from analytics.workbook_snapshot")
        result = upsert(conn, WORKBOOK_SNAPSHOT, snap)
    after = cell_budget(backend.grids(), cell_limit)  # what the spreadsheet's metadata reports now
    rows_per_tab = {name: len(rows) - 1 for name, rows in tabs.items()}
    return {
        "dagster/row_count": sum(rows_per_tab.values()),
        "workbook": backend.description,
        "rows_per_tab": Json(rows_per_tab),
        "rolling_window_start": since.isoformat(),
        "rows_archived": archive_result.inserted,
        "editable_cells_tracked": result.rows_in,
        **calls,
        **after,
        "preview": markdown_table(["tab", "rows", "columns"],
                                  [(n, rows_per_tab[n], planned[n][1]) for n in (t.name for t in TABS)]),
    }
