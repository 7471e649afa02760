"""The trading desk's landing folder and the field formats of its files.

Layout (VP_TRADING_LANDING, else ``<VP_SOURCE_ROOT>/landing/trading`` for a local mirror, else
``data/landing/trading``; the generator writes the same)::

    <landing>/cards/*.json        one trade card version per document (cards.py)
    <landing>/accounts/*.csv      Account, Account Name, As Of, Opening Balance (Rs), Statement Balance (Rs),
                                  Minimum Buffer (Rs), Maximum Loan (Rs)
    <landing>/positions/*.csv     Account, Symbol, Quantity, Price (Rs): an account's file is its whole book
    <landing>/transfers/*.csv     Transfer ID, From Account, To Account, Amount (Rs), Requested At, Requested By,
                                  Approved By, Approved At, Reason
    <landing>/fills/*.csv         Fill ID, Trade ID, Account, Symbol, Side, Quantity, Price (Rs), Fees (Rs),
                                  Filled At, Playbook, Strategy, Meta Score

Rupee amounts may carry Indian digit grouping (``12,50,000.00``) and at most two decimals: they become
integer paise exactly (Decimal, never float). Timestamps are ISO 8601 with their UTC offset (IST is
+05:30); a timestamp without one is rejected rather than guessed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from valuation_platform.pipelines import landing
from valuation_platform.pipelines.item_quarantine import refresh_quarantine
from valuation_platform.pipelines.landing import BadRow
from valuation_platform.pipelines.report import load_report, merge, quarantine_report, table_report
from valuation_platform.warehouse.tables import TableSpec
from valuation_platform.warehouse.upsert import upsert

DOMAIN = "trading"
SOURCE = "trading_landing"
CARDS, ACCOUNTS, POSITIONS, TRANSFERS, FILLS = "cards", "accounts", "positions", "transfers", "fills"
CSV_AREAS = (ACCOUNTS, POSITIONS, TRANSFERS, FILLS)
CARD_SUFFIXES = (".json",)


def landing_path(setting: str | None, source_root: str | None) -> Path:
    return landing.landing_path(setting, source_root, DOMAIN)


def card_fingerprint(folder: Path) -> dict[str, str]:
    """What the new-card sensor compares."""
    return landing.fingerprint(folder, (CARDS,), CARD_SUFFIXES)


def decimal(text: str, column: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", "").replace("Rs", "").replace("₹", "").strip())
    except InvalidOperation:
        raise BadRow(column, f"not a number: {text!r}") from None
    if not value.is_finite():
        raise BadRow(column, f"not a number: {text!r}")
    return value


def paise(text: str, column: str, *, positive: bool = False) -> int:
    """Rupees as integer paise; more than two decimals would lose money, so they are rejected."""
    value = decimal(text, column) * 100
    if value != value.to_integral_value():
        raise BadRow(column, f"{text!r} has fractions of a paisa")
    if positive and value <= 0:
        raise BadRow(column, f"amount must be positive, got {text!r}")
    return int(value)


def integer(text: str, column: str, *, positive: bool = False) -> int:
    value = decimal(text, column)
    if value != value.to_integral_value():
        raise BadRow(column, f"not a whole number: {text!r}")
    if positive and value <= 0:
        raise BadRow(column, f"must be positive, got {text!r}")
    return int(value)


def timestamp(text: str, column: str, *, required: bool = True) -> datetime | None:
    if not text:
        if required:
            raise BadRow(column, "missing timestamp")
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise BadRow(column, f"not an ISO 8601 timestamp: {text!r}") from None
    if value.tzinfo is None:
        raise BadRow(column, f"timestamp {text!r} has no UTC offset (IST is +05:30)")
    return value


def day(text: str, column: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadRow(column, f"not an ISO date: {text!r}") from None


def required(rec: dict[str, str], column: str) -> str:
    value = rec.get(column, "")
    if not value:
        raise BadRow(column, f"missing {column}")
    return value


def side(text: str, column: str = "Side") -> str:
    value = text.upper()
    if value not in ("BUY", "SELL"):
        raise BadRow(column, f"side must be BUY or SELL, got {text!r}")
    return value


def load_area(conn: psycopg.Connection, folder: Path, area: str, spec: TableSpec, *, required_columns: tuple[str, ...],
              row: Callable[[dict[str, str]], dict[str, Any]], asset_key: str,
              whole_book: str | None = None) -> dict[str, Any]:
    """Every CSV of ``area`` into ``spec`` (upsert on its key); bad rows quarantined with their reason, the rest
    land. ``whole_book``: a column (e.g. account) whose values' files are complete, so rows of that value
    the files no longer list are removed (a re-run of the same files leaves the same rows)."""
    files = landing.area_files(folder, area)
    parsed = landing.Parsed()
    for path in files:
        parsed.extend(landing.parse_csv(path.read_bytes(), f"{area}/{path.name}", source=SOURCE,
                                        required=required_columns, row=row))
    if whole_book:
        keep: dict[str, set[tuple]] = {}
        for r in parsed.rows:
            keep.setdefault(r[whole_book], set()).add(tuple(r[k] for k in spec.key))
        with conn.transaction():
            for owner, keys in keep.items():
                for existing in conn.execute(
                        sql.SQL("select {} from {} where {} = %s").format(
                            sql.SQL(", ").join(map(sql.Identifier, spec.key)), spec.identifier,
                            sql.Identifier(whole_book)), (owner,)).fetchall():
                    if tuple(existing) not in keys:
                        conn.execute(sql.SQL("delete from {} where {}").format(
                            spec.identifier, sql.SQL(" and ").join(
                                sql.SQL("{} = %s").format(sql.Identifier(k)) for k in spec.key)), existing)
    result = upsert(conn, spec, parsed.rows, source=SOURCE)
    refresh_quarantine(conn, source=SOURCE, asset_key=asset_key, documents=[f"{area}/{p.name}" for p in files],
                       errors=parsed.rejected, excerpts=parsed.excerpts)
    return merge(table_report(conn, spec.qualified, order_by=", ".join(spec.key)), load_report([result]),
                  quarantine_report(parsed.rejected, attempted=len(parsed.rows) + len(parsed.rejected)),
                  {"files": len(files), "landing": str(folder)})
