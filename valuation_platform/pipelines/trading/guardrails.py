"""Guardrail steps: the desk's positions from the landing folder, and each new card version's verdicts.

A card version is evaluated once: versions that already have verdicts in ``analytics.guardrail_results``
are skipped, so re-running (or re-dropping the same card) changes nothing. Inputs are read as of the
card's submission: bhavcopy sessions before its day, the account's statement, events around its day
(``marts.fct_corporate_events``) and sectors (``marts.dim_nse_symbol``), both built by the NSE part of the
trading domain; without the events the event rule warns, and a symbol the symbol master lacks takes the India
universe's sector (``analytics.india_universe``), else the card's own.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from valuation_platform.analytics.trading.config import Playbook, Thresholds
from valuation_platform.analytics.trading.guardrails import Card, Context, decision, evaluate
from valuation_platform.pipelines.report import load_report, merge, table_report
from valuation_platform.pipelines.trading.desk_files import POSITIONS, decimal, integer, load_area, required
from valuation_platform.warehouse.tables.trading_desk import GUARDRAIL_RESULTS, TRADING_POSITIONS
from valuation_platform.warehouse.upsert import upsert

POSITION_COLUMNS = ("Account", "Symbol", "Quantity", "Price (Rs)")
CARD_COLUMNS = ("card_id, version, account, symbol, side, quantity, limit_price::float8, playbook, sector, signal_at,"
                " catalyst_at, submitted_at, tranche, planned_quantity, instrument, lot_size, expiry, legs, card_hash")


def _position(rec: dict[str, str]) -> dict[str, Any]:
    return {"account": required(rec, "Account"), "symbol": required(rec, "Symbol").upper(),
            "quantity": integer(required(rec, "Quantity"), "Quantity"),
            "price": decimal(required(rec, "Price (Rs)"), "Price (Rs)")}


def load_positions(conn: psycopg.Connection, folder: Path) -> dict[str, Any]:
    return load_area(conn, folder, POSITIONS, TRADING_POSITIONS, required_columns=POSITION_COLUMNS, row=_position,
                     asset_key="trading_positions", whole_book="account")


def _exists(conn: psycopg.Connection, table: str) -> bool:
    return conn.execute("select to_regclass(%s) is not null", (table,)).fetchone()[0]


def _context(conn: psycopg.Connection, card: Card, t: Thresholds) -> Context | None:
    """The card's inputs; None while its account has not landed (the card waits, it is not judged on nothing)."""
    day = card.trade_day
    balance = conn.execute("select balance_paise from raw.trading_accounts where account = %s", (card.account,)).fetchone()
    if balance is None:
        return None
    holdings = {s: (q, float(p)) for s, q, p in conn.execute(
        "select symbol, quantity, price from raw.trading_positions where account = %s", (card.account,)).fetchall()}
    nav = balance[0] / 100.0 + sum(q * p for q, p in holdings.values())
    symbols = [card.symbol, *holdings]
    sectors: dict[str, str] = {}
    # the India universe's sector first, the symbol master's over it: EQUITY_L may not list a universe company
    # (renamed or delisted: marts.fct_nse_symbol_mismatches), and its holding still counts in its sector
    for table, query in (("analytics.india_universe", "select nse_symbol, cd_sector from analytics.india_universe"
                                                       " where nse_symbol = any(%s)"),
                         ("marts.dim_nse_symbol", "select symbol, sector from marts.dim_nse_symbol"
                                                  " where sector is not null and symbol = any(%s)")):
        if _exists(conn, table):
            sectors |= dict(conn.execute(query, (symbols,)).fetchall())

    def closes(symbol: str, sessions: int) -> list[tuple[float, float]]:
        rows = conn.execute("select close, turnover from raw.nse_bhavcopy where nse_symbol = %s and series = 'EQ'"
                            " and trade_date < %s order by trade_date desc limit %s", (symbol, day, sessions)).fetchall()
        return [(float(c), float(v or 0.0)) for c, v in reversed(rows)]

    own = closes(card.symbol, t.ADV_SESSIONS)
    events = None
    if _exists(conn, "marts.fct_corporate_events"):
        window = timedelta(days=t.EVENT_BLACKOUT_DAYS)
        events = conn.execute("select event_date, event_type, coalesce(purpose, '') from marts.fct_corporate_events"
                              " where symbol = %s and event_date between %s and %s order by event_date",
                              (card.symbol, day - window, day + window)).fetchall()
    return Context(nav=nav, holdings=holdings, sectors=sectors, turnover=[v for _, v in own],
                   previous_close=own[-1][0] if own else None,
                   index_closes=[c for c, _ in closes(t.REGIME_INDEX_SYMBOL, t.REGIME_TREND_SESSIONS)], events=events)


def evaluate_cards(conn: psycopg.Connection, books: dict[str, Playbook], t: Thresholds, now: datetime) -> dict[str, Any]:
    """Verdicts for every card version not evaluated yet; returns what was evaluated and decided."""
    with conn.transaction():
        pending = conn.execute(
            f"select {CARD_COLUMNS} from raw.trade_cards c where not exists (select 1 from analytics.guardrail_results g"
            " where g.card_id = c.card_id and g.version = c.version) order by submitted_at, card_id, version").fetchall()
        rows, decisions, waiting = [], {}, []
        for r in pending:
            card = Card(*r[:17], legs=tuple(r[17] or ()))
            ctx = _context(conn, card, t)
            if ctx is None:
                waiting.append(f"{card.card_id} v{card.version} ({card.account})")
                continue
            verdicts = evaluate(card, ctx, t, books.get(card.playbook))
            decisions[f"{card.card_id} v{card.version}"] = decision(verdicts)
            rows += [{"card_id": card.card_id, "version": card.version, "rule": v.rule, "severity": v.severity,
                      "observed": v.observed, "threshold": v.threshold, "inputs": json.dumps(v.inputs, default=str),
                      "explanation": v.explanation, "card_hash": r[18], "evaluated_at": now} for v in verdicts]
    result = upsert(conn, GUARDRAIL_RESULTS, rows, source="guardrails")
    counts: dict[str, int] = {}
    for state in decisions.values():
        counts[state] = counts.get(state, 0) + 1
    return merge(table_report(conn, GUARDRAIL_RESULTS.qualified, order_by="evaluated_at desc, card_id, rule"),
                 load_report([result]),
                 {"cards_evaluated": len(decisions), "cards_waiting_for_account": len(waiting),
                  **({"waiting": ", ".join(waiting)[:1000]} if waiting else {}), **{f"cards_{k.lower()}": v for k, v in sorted(counts.items())}})
