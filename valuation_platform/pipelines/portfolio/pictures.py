"""The risk phase's picture: one portfolio's NAV, drawdown and risk contributions (lib/plots.py draws it)."""

from __future__ import annotations

import numpy as np
import polars as pl

from valuation_platform.analytics.portfolio.performance import drawdowns
from valuation_platform.analytics.portfolio.risk import volatility_contributions
from valuation_platform.pipelines.portfolio.book import Book
from valuation_platform.pipelines.report import Chart

MAX_HOLDINGS = 12  # the largest contributions by size; a book of hundreds would be unreadable


def risk_picture(book: Book, exposures: pl.DataFrame, portfolios: list[str], weights: np.ndarray,
                 returns: np.ndarray, days: int) -> Chart:
    """The largest portfolio (by NAV) over the last ``days`` sessions: NAV back-cast from today's book (the
    returns the risk table's drawdown and volatility are measured on, scaled to end at today's NAV), its
    drawdown, and each underlying's contribution to its annualised volatility."""
    navs = dict(exposures.select("portfolio_id", "nav").unique("portfolio_id").iter_rows())
    portfolio = max(portfolios, key=lambda p: (float(navs.get(p) or 0.0), p))
    i = portfolios.index(portfolio)
    r = np.nan_to_num(returns[i, -days:])
    wealth = np.cumprod(1.0 + r)
    nav = float(navs.get(portfolio) or 0.0) * wealth / wealth[-1]
    held = np.flatnonzero(weights[i])
    contributions = volatility_contributions(weights[i, held], book.returns[held, -days:])
    order = np.argsort(-np.abs(contributions))[:MAX_HOLDINGS]
    return Chart("portfolio_risk", f"{portfolio} on {book.session}: NAV (today's book back-cast), drawdown, "
                                   "risk contributions", {
        "date": book.sessions[1:][-days:], "nav": nav.tolist(), "drawdown": drawdowns(r)[-days:].tolist(),
        "holding": [book.tickers[held[k]] for k in order], "contribution": contributions[order].tolist(),
    })
