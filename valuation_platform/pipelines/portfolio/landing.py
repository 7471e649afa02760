"""The portfolio landing folder and its broker-style CSV files.

Layout (the generator writes the same; VP_PORTFOLIO_LANDING points elsewhere, else
``<VP_SOURCE_ROOT>/landing/portfolio`` for a local mirror, else ``data/landing/portfolio``)::

    <landing>/positions/*.csv   one row per position (columns: POSITION_COLUMNS)
    <landing>/targets/*.csv     portfolio_id, ticker, target_price, stop_price, set_on
    <landing>/tags/*.csv        portfolio_id, ticker, tag
    <landing>/exports/          written back by the targets asset (not read)

Positions: ``Position Type`` is LONG, SHORT, LC, LP, SC, SP (long/short call/put) or CASH. Brokers print
shorts with a negative quantity or a positive one; both are accepted for SHORT/SC/SP and stored
negative. A row is quarantined with its reason when its ticker is unknown (not in the universe nor a
benchmark ETF), its quantity is zero, negative for a long type, or not a number, or an option lacks its
underlying, strike, expiration or has an expiry in the wrong format. The other rows land.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from valuation_platform.pipelines import landing
from valuation_platform.pipelines.landing import Parsed
from valuation_platform.sources.errors import SourceError

SOURCE = "portfolio_landing"
POSITIONS, TARGETS, TAGS, EXPORTS = "positions", "targets", "tags", "exports"
AREAS = (POSITIONS, TARGETS, TAGS)
DOMAIN = "portfolio"
DEFAULT_LANDING = landing.DATA_LANDING / DOMAIN
POSITION_COLUMNS = ("Account Number", "Account Name", "Symbol", "Position Type", "Quantity",
                    "Cost Basis Per Share", "Open Date", "Underlying", "Strike", "Expiration")
OPTION_TYPES = {"LC": "C", "LP": "P", "SC": "C", "SP": "P"}
SHORT_TYPES = {"SHORT", "SC", "SP"}
TYPES = {"LONG", "SHORT", "CASH", *OPTION_TYPES}
CONTRACT_MULTIPLIER = 100.0


def landing_path(setting: str | None, source_root: str | None) -> Path:
    return landing.landing_path(setting, source_root, DOMAIN)


def area_files(folder: Path, area: str) -> list[Path]:
    return landing.area_files(folder, area)


def fingerprint(folder: Path) -> dict[str, str]:
    """``relpath -> sha256`` of every landing file the assets read (the sensor's cursor)."""
    return landing.fingerprint(folder, AREAS)


def _number(text: str) -> float | None:
    text = (text or "").replace(",", "").replace("$", "").strip()
    return float(text) if text else None


def _day(text: str) -> date | None:
    text = (text or "").strip()
    return date.fromisoformat(text) if text else None


def _position(rec: Mapping[str, str], known: Collection[str]) -> dict[str, Any]:
    """One CSV record as a position row; raises ValueError(field, reason) for a bad one."""
    ptype = (rec.get("Position Type") or "").strip().upper()
    if ptype not in TYPES:
        raise ValueError("Position Type", f"unknown position type {ptype!r} (one of {', '.join(sorted(TYPES))})")
    try:
        qty = _number(rec.get("Quantity", ""))
        cost = _number(rec.get("Cost Basis Per Share", ""))
        opened = _day(rec.get("Open Date", ""))
    except ValueError as exc:
        raise ValueError("Quantity/Cost Basis Per Share/Open Date", f"not a number or ISO date: {exc}") from exc
    if qty is None or qty == 0:
        raise ValueError("Quantity", "zero or missing quantity")
    if ptype in ("LONG", "LC", "LP", "CASH") and qty < 0:
        raise ValueError("Quantity", f"negative quantity {qty:g} for a {ptype} position")
    qty = -abs(qty) if ptype in SHORT_TYPES else qty
    account = (rec.get("Account Number") or "").strip()
    if not account:
        raise ValueError("Account Number", "missing account number")
    row = {"portfolio_id": account, "portfolio_name": (rec.get("Account Name") or account).strip(),
           "position_type": ptype, "quantity": qty, "entry_price": cost, "entry_date": opened,
           "strike": None, "expiry": None, "option_type": None, "multiplier": 1.0}
    if ptype == "CASH":
        return {**row, "position_id": "CASH", "ticker": "CASH", "entry_price": 1.0}
    if ptype in OPTION_TYPES:
        underlying = (rec.get("Underlying") or "").strip().upper()
        try:
            strike, expiry = _number(rec.get("Strike", "")), _day(rec.get("Expiration", ""))
        except ValueError as exc:
            raise ValueError("Strike/Expiration", f"option details unreadable: {exc}") from exc
        missing = [n for n, v in (("Underlying", underlying), ("Strike", strike), ("Expiration", expiry)) if not v]
        if missing:
            raise ValueError("/".join(missing), f"option without {', '.join(missing)}")
        if underlying not in known:
            raise ValueError("Underlying", f"unknown ticker {underlying}")
        kind = OPTION_TYPES[ptype]
        return {**row, "ticker": underlying, "strike": strike, "expiry": expiry, "option_type": kind,
                "multiplier": CONTRACT_MULTIPLIER, "position_id": f"{underlying} {expiry} {kind} {strike:g}"}
    symbol = (rec.get("Symbol") or "").strip().upper()
    if symbol not in known:
        raise ValueError("Symbol", f"unknown ticker {symbol or '(empty)'}")
    return {**row, "ticker": symbol, "position_id": symbol}


def parse_positions(payload: bytes, document: str, known: Collection[str]) -> Parsed:
    """Good rows and quarantined ones (one :class:`SourceError` per bad row, the row as its excerpt)."""
    out = Parsed()
    text = payload.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("Account Number", "Symbol", "Position Type", "Quantity") if c not in (reader.fieldnames or [])]
    if missing:
        out.rejected.append(SourceError(SOURCE, document, f"not a positions export: no {', '.join(missing)} column",
                                        field="header"))
        out.excerpts[document] = payload[:2000]
        return out
    for line, rec in enumerate(reader, start=2):
        item = f"{document}#line{line}"
        try:
            out.rows.append({**_position(rec, known), "document": document})
        except ValueError as exc:
            column, reason = exc.args if len(exc.args) == 2 else ("row", str(exc))
            out.rejected.append(SourceError(SOURCE, item, reason, field=column))
            out.excerpts[item] = ",".join(f"{k}={v}" for k, v in rec.items()).encode()
    return out


def parse_simple(payload: bytes, document: str, columns: tuple[str, ...], numeric: tuple[str, ...] = (),
                 dates: tuple[str, ...] = ()) -> Parsed:
    """Targets/tags files: lower-case headers, ``portfolio_id`` and ``ticker`` required per row."""
    out = Parsed()
    reader = csv.DictReader(io.StringIO(payload.decode("utf-8-sig")))
    for line, rec in enumerate(reader, start=2):
        item = f"{document}#line{line}"
        try:
            row = {c: (rec.get(c) or "").strip() or None for c in columns}
            if not row.get("portfolio_id") or not row.get("ticker"):
                raise ValueError("portfolio_id/ticker missing")
            row["ticker"] = row["ticker"].upper()
            for c in numeric:
                row[c] = _number(row[c] or "")
            for c in dates:
                row[c] = _day(row[c] or "")
            out.rows.append({**row, "document": document})
        except ValueError as exc:
            out.rejected.append(SourceError(SOURCE, item, str(exc)))
            out.excerpts[item] = ",".join(f"{k}={v}" for k, v in rec.items()).encode()
    return out
