"""Invariants behind the portfolio asset checks (identities, not recomputations)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import psycopg

from valuation_platform.pipelines.portfolio.book import PORTFOLIO


@dataclass
class Outcome:
    passed: bool
    metadata: dict[str, Any] = field(default_factory=dict)


def nav_identity(conn: psycopg.Connection) -> Outcome:
    with conn.transaction():
        bad, checked = conn.execute(
            "select count(*) filter (where abs(p.nav - s.mv) > 1e-6 * greatest(1, abs(p.nav))"
            " or p.gross_exposure + 1e-9 < abs(p.net_exposure) or p.long_exposure < 0 or p.short_exposure > 0),"
            " count(*) from analytics.portfolio_snapshots p join (select portfolio_id, trade_date,"
            " sum(market_value) mv from analytics.portfolio_position_snapshots group by 1, 2) s"
            " using (portfolio_id, trade_date)").fetchone()
    return Outcome(bad == 0, {"snapshots_checked": checked, "violations": bad})


def beta_additivity(conn: psycopg.Connection) -> Outcome:
    """Sum over positions of weight x beta_60 equals the portfolio's beta_60 (same 60 sessions, full history)."""
    with conn.transaction():
        rows = conn.execute(
            "with pos as (select b.portfolio_id, b.trade_date, sum(s.weight * b.beta_60) as implied,"
            " bool_and(b.n_obs_60 = 60) as full_history from analytics.portfolio_betas b join"
            " analytics.portfolio_position_snapshots s using (portfolio_id, trade_date, position_id)"
            " where b.position_id <> %s group by 1, 2)"
            " select pos.portfolio_id, pos.trade_date, pos.implied, p.beta_60 from pos join analytics.portfolio_betas p"
            " on p.portfolio_id = pos.portfolio_id and p.trade_date = pos.trade_date and p.position_id = %s"
            " where pos.full_history", (PORTFOLIO, PORTFOLIO)).fetchall()
    worst = max((abs(a - b) for _, _, a, b in rows if a is not None and b is not None), default=0.0)
    return Outcome(worst < 1e-8, {"portfolios_checked": len(rows), "max_abs_difference": float(worst)})
