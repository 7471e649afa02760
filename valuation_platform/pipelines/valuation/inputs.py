"""Statement exports and bhavcopy files from the India landing folder into their raw tables.

Landing areas (beside the India ones, see :mod:`valuation_platform.pipelines.india.landing`)::

    <landing>/statements/   screener.in exports: <NSE_SYMBOL>.xlsx (the workbook's Data Sheet) or
                            <NSE_SYMBOL>_Profit_Loss.csv / _Balance_Sheet.csv / _Cash_Flow.csv / _Quarters.csv
    <landing>/bhavcopy/     NSE equity bhavcopy CSVs, legacy cm01DEC2017bhav.csv or UDiFF
                            BhavCopy_NSE_CM_0_0_0_20240708_F_0000.csv (the layout must match the file's date)

A file that cannot be read is quarantined whole; a bad figure or row is quarantined as an item
(``<document>#<field>``) while the rest of its file loads. Re-runs are idempotent (upserts on the natural
keys) and a file that now loads cleanly leaves the quarantine.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date, datetime
from pathlib import Path
from typing import Any

import psycopg

from valuation_platform.pipelines.documents import fetch_all
from valuation_platform.pipelines.india.landing import LandingFile, scan
from valuation_platform.pipelines.item_quarantine import item_error, refresh_quarantine
from valuation_platform.pipelines.report import load_report, merge, quarantine_report, table_report
from valuation_platform.sources.nse import bhavcopy
from valuation_platform.sources.screener import statements as screener
from valuation_platform.warehouse.tables.valuation import INDIA_STATEMENTS, NSE_BHAVCOPY
from valuation_platform.warehouse.upsert import upsert

STATEMENTS, BHAVCOPY = "statements", "bhavcopy"
LEGACY_NAME = re.compile(r"cm(\d{2})([A-Za-z]{3})(\d{4})bhav", re.IGNORECASE)
UDIFF_NAME = re.compile(r"BhavCopy_NSE_CM_0_0_0_(\d{8})_F", re.IGNORECASE)


def bhavcopy_date(file_name: str) -> date | None:
    """The trade date a bhavcopy's file name states (None when the name follows neither layout)."""
    if m := LEGACY_NAME.search(file_name):
        return datetime.strptime(f"{m[1]}{m[2].title()}{m[3]}", "%d%b%Y").date()
    if m := UDIFF_NAME.search(file_name):
        return datetime.strptime(m[1], "%Y%m%d").date()
    return None


def _parse_statements(f: LandingFile) -> tuple:
    parsed = screener.parse_export(f.path.read_bytes(), file_name=f.path.name, document=f.relpath)
    symbol = screener.symbol_from_file_name(f.path.name)
    rows = [{**r, "nse_symbol": symbol, "company_name": parsed.company_name, "document": f.relpath}
            for r in parsed.rows]
    return rows, parsed.errors


def _parse_bhavcopy(f: LandingFile) -> tuple:
    parsed = bhavcopy.parse_bhavcopy(f.path.read_bytes(), document=f.relpath, expected=bhavcopy_date(f.path.name))
    return [{**r, "layout": parsed.layout, "document": f.relpath} for r in parsed.rows], parsed.errors


def _load(conn: psycopg.Connection, folder: Path, area: str, parse, spec, source: str, asset_key: str,
          fetched_at: datetime, keep=None) -> dict[str, Any]:
    files = [f for f in scan(folder, (area,)) if keep is None or keep(f)]
    outcome = fetch_all(files, parse, workers=2)
    rows = [row for _, (part, _) in outcome.ok for row in part]
    items = [item_error(e) for _, (_, errors) in outcome.ok for e in errors]
    result = upsert(conn, spec, rows, source=f"india_landing:{folder}", fetched_at=fetched_at)
    errors = [*outcome.errors, *items]
    refresh_quarantine(conn, source=source, asset_key=asset_key, documents=[f.relpath for f in files],
                       errors=errors)
    return merge(table_report(conn, spec.qualified), load_report([result]),
                 quarantine_report(outcome.errors, len(files)),
                 {"items_quarantined": len(items), "folder": str(folder / area)})


def load_statements(conn: psycopg.Connection, folder: Path, *, fetched_at: datetime) -> dict[str, Any]:
    return _load(conn, folder, STATEMENTS, _parse_statements, INDIA_STATEMENTS, screener.SOURCE,
                 "india_statements", fetched_at)


def load_bhavcopy(conn: psycopg.Connection, folder: Path, *, fetched_at: datetime,
                  days: Collection[date] | None = None) -> dict[str, Any]:
    """Every bhavcopy in the landing folder, or only those whose file name states one of ``days``."""
    keep = None if days is None else (lambda f: bhavcopy_date(f.path.name) in days)
    return _load(conn, folder, BHAVCOPY, _parse_bhavcopy, NSE_BHAVCOPY, bhavcopy.SOURCE, "nse_bhavcopy",
                 fetched_at, keep)
