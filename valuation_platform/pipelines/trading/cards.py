"""Trade cards from the landing folder: one JSON document per card version.

A card (the generator writes the same)::

    {"card_id": "TC-...", "version": 1, "account": "...", "symbol": "RELIANCE", "side": "BUY",
     "quantity": 120, "limit_price": "2950.50", "playbook": "breakout", "sector": "Energy",
     "thesis": "...", "signal_at": "2026-...+05:30", "submitted_at": "...+05:30",
     "catalyst": {"at": "...+05:30", "description": "..."}, "tranche": 1, "planned_quantity": 240,
     "instrument": {"type": "EQUITY"}}

An option strategy card's instrument is ``{"type": "OPTION_STRATEGY", "strategy": "bull_put_spread",
"lot_size": 250, "expiry": "2026-12-31", "legs": [{"option_type": "PE", "strike": 2800, "side": "SELL",
"ratio": 1, "premium": 32.5, "iv": 0.24}, ...]}`` with ``quantity`` in lots.

A card version is immutable: the same ``(card_id, version)`` with other content is rejected (quarantined,
"submit a new version"), so a version is evaluated once whatever is dropped again.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import psycopg

from valuation_platform.pipelines import landing
from valuation_platform.pipelines.item_quarantine import refresh_quarantine
from valuation_platform.pipelines.landing import BadRow
from valuation_platform.pipelines.report import load_report, merge, quarantine_report, table_report
from valuation_platform.pipelines.trading.desk_files import (
    CARD_SUFFIXES, CARDS, SOURCE, day, decimal, integer, side, timestamp,
)
from valuation_platform.sources.errors import SourceError
from valuation_platform.warehouse.tables.trading_desk import TRADE_CARDS
from valuation_platform.warehouse.upsert import upsert

INSTRUMENTS = ("EQUITY", "OPTION_STRATEGY")
LEG_FIELDS = ("option_type", "strike", "side", "premium")


def _text(card: dict[str, Any], name: str) -> str:
    value = card.get(name)
    if value is None or str(value).strip() == "":
        raise BadRow(name, f"missing {name}")
    return str(value).strip()


def parse_card(payload: bytes, document: str, playbooks: set[str]) -> dict[str, Any]:
    """One card document as a ``raw.trade_cards`` row; raises :class:`SourceError` naming the field."""
    try:
        card = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(SOURCE, document, f"not JSON: {exc}", field="document") from None
    if not isinstance(card, dict):
        raise SourceError(SOURCE, document, "a card is a JSON object", field="document")
    try:
        playbook = _text(card, "playbook")
        if playbook not in playbooks:
            raise BadRow("playbook", f"unknown playbook {playbook!r} (one of {', '.join(sorted(playbooks))})")
        catalyst = card.get("catalyst") or {}
        instrument = card.get("instrument") or {}
        kind = str(instrument.get("type", "")).upper()
        if kind not in INSTRUMENTS:
            raise BadRow("instrument.type", f"instrument type must be one of {', '.join(INSTRUMENTS)}, got {kind!r}")
        legs = instrument.get("legs") or []
        if kind == "OPTION_STRATEGY":
            if not legs:
                raise BadRow("instrument.legs", "an option strategy card without legs")
            for i, leg in enumerate(legs):
                missing = [f for f in LEG_FIELDS if leg.get(f) in (None, "")]
                if missing:
                    raise BadRow(f"instrument.legs[{i}]", f"leg without {', '.join(missing)}")
        row = {
            "card_id": _text(card, "card_id"), "version": integer(str(card.get("version", "")), "version", positive=True),
            "account": _text(card, "account"), "symbol": _text(card, "symbol").upper(), "side": side(_text(card, "side"), "side"),
            "quantity": integer(str(card.get("quantity", "")), "quantity", positive=True),
            "limit_price": decimal(str(card.get("limit_price", "")), "limit_price"), "playbook": playbook,
            "sector": (card.get("sector") or None), "thesis": _text(card, "thesis"),
            "signal_at": timestamp(str(card.get("signal_at") or ""), "signal_at"),
            "catalyst_at": timestamp(str(catalyst.get("at") or ""), "catalyst.at"),
            "catalyst": catalyst.get("description"),
            "submitted_at": timestamp(str(card.get("submitted_at") or ""), "submitted_at"),
            "tranche": integer(str(card.get("tranche", 1)), "tranche", positive=True),
            "planned_quantity": integer(str(card.get("planned_quantity", card.get("quantity", ""))), "planned_quantity",
                                        positive=True),
            "instrument": kind, "strategy": instrument.get("strategy"),
            "lot_size": integer(str(instrument["lot_size"]), "instrument.lot_size", positive=True)
            if kind == "OPTION_STRATEGY" else None,
            "expiry": day(str(instrument.get("expiry", "")), "instrument.expiry") if kind == "OPTION_STRATEGY" else None,
            "legs": legs or None,
        }
    except BadRow as exc:
        raise SourceError(SOURCE, document, exc.reason, field=exc.field) from None
    if row["limit_price"] <= 0:
        raise SourceError(SOURCE, document, "limit_price must be positive", field="limit_price")
    canonical = json.dumps(card, sort_keys=True, separators=(",", ":"), default=str)
    return {**row, "card_hash": hashlib.sha256(canonical.encode()).hexdigest(), "document": document}


def load_cards(conn: psycopg.Connection, folder: Path, playbooks: set[str]) -> dict[str, Any]:
    """Every card document; a changed card under an existing version is quarantined and the stored one kept."""
    files = landing.area_files(folder, CARDS, CARD_SUFFIXES)
    rows, errors, excerpts = [], [], {}
    with conn.transaction():
        stored = {(c, v): h for c, v, h in conn.execute(
            "select card_id, version, card_hash from raw.trade_cards").fetchall()}
    seen: dict[tuple[str, int], str] = {}
    for path in files:
        document, payload = f"{CARDS}/{path.name}", path.read_bytes()
        try:
            row = parse_card(payload, document, playbooks)
            key = (row["card_id"], row["version"])
            known = stored.get(key) or seen.get(key)
            if known is not None and known != row["card_hash"]:
                raise SourceError(SOURCE, document, f"card {key[0]} version {key[1]} was already submitted with "
                                  "other content: submit a new version", field="version")
            seen[key] = row["card_hash"]
            if key not in stored:
                rows.append(row)
        except SourceError as error:
            errors.append(error)
            excerpts[document] = payload[:2000]
    result = upsert(conn, TRADE_CARDS, rows, source=SOURCE)
    refresh_quarantine(conn, source=SOURCE, asset_key="trade_cards", documents=[f"{CARDS}/{p.name}" for p in files],
                       errors=errors, excerpts=excerpts)
    return merge(table_report(conn, TRADE_CARDS.qualified, order_by="submitted_at desc"), load_report([result]),
                 quarantine_report(errors, attempted=len(files)),
                 {"files": len(files), "new_card_versions": len(rows), "landing": str(folder)})
