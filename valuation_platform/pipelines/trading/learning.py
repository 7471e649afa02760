"""Learning-loop steps: the fills ledger from the landing folder; closed trades, playbook quality and drift
proposals (analytics.trading.learning)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg

from valuation_platform.analytics.trading.config import Playbook, Thresholds
from valuation_platform.analytics.trading.learning import Fill, close_trades, drift_alerts, playbook_performance
from valuation_platform.pipelines.portfolio.reports import Reports, reports_by_table
from valuation_platform.pipelines.trading.desk_files import (
    FILLS, decimal, integer, load_area, required, side, timestamp,
)
from valuation_platform.warehouse.tables.trading_desk import (
    META_LABEL_PROPOSALS, PLAYBOOK_PERFORMANCE, TRADE_FILLS, TRADE_OUTCOMES,
)
from valuation_platform.warehouse.upsert import upsert

FILL_COLUMNS = ("Fill ID", "Trade ID", "Account", "Symbol", "Side", "Quantity", "Price (Rs)", "Fees (Rs)",
                "Filled At", "Playbook", "Strategy", "Meta Score")


def _fill(rec: dict[str, str]) -> dict[str, Any]:
    score = rec.get("Meta Score", "")
    return {"fill_id": required(rec, "Fill ID"), "trade_id": required(rec, "Trade ID"),
            "account": required(rec, "Account"), "symbol": required(rec, "Symbol").upper(),
            "side": side(required(rec, "Side")), "quantity": integer(required(rec, "Quantity"), "Quantity", positive=True),
            "price": decimal(required(rec, "Price (Rs)"), "Price (Rs)"),
            "fees": decimal(rec.get("Fees (Rs)") or "0", "Fees (Rs)"),
            "filled_at": timestamp(rec.get("Filled At", ""), "Filled At"),
            "playbook": required(rec, "Playbook"), "strategy": required(rec, "Strategy"),
            "meta_score": float(decimal(score, "Meta Score")) if score else None}


def load_fills(conn: psycopg.Connection, folder: Path) -> dict[str, Any]:
    return load_area(conn, folder, FILLS, TRADE_FILLS, required_columns=FILL_COLUMNS, row=_fill,
                     asset_key="trade_fills")


def record_learning(conn: psycopg.Connection, books: dict[str, Playbook], limits: Thresholds) -> Reports:
    with conn.transaction():
        fills = [Fill(*r[:6], float(r[6]), float(r[7]), *r[8:]) for r in conn.execute(
            "select fill_id, trade_id, account, symbol, side, quantity, price, fees, filled_at, playbook, strategy,"
            " meta_score from raw.trade_fills").fetchall()]
    outcomes = close_trades(fills)
    performance = playbook_performance(outcomes)
    alerts = drift_alerts(outcomes, books, limits)
    results = [upsert(conn, TRADE_OUTCOMES, outcomes, source="learning"),
               upsert(conn, PLAYBOOK_PERFORMANCE, performance, source="learning"),
               upsert(conn, META_LABEL_PROPOSALS, alerts, source="learning")]
    reports = reports_by_table(conn, [TRADE_OUTCOMES, PLAYBOOK_PERFORMANCE, META_LABEL_PROPOSALS], results,
                               order_by="1")
    reports[TRADE_OUTCOMES.name] |= {"fills": len(fills), "closed_trades": len(outcomes),
                                     "open_trades": len({f.trade_id for f in fills}) - len(outcomes)}
    reports[META_LABEL_PROPOSALS.name] |= {"drift_alerts": len(alerts)}
    return reports
