"""Stress tests on today's weights: historical windows replayed, and scenario shocks.

Weights are signed delta-adjusted exposures / NAV. A historical window's portfolio return is
``sum_i w_i x (P_i(last) / P_i(first) - 1)``, first and last being the position's first and last closes
inside the window. A position is covered when those closes lie within a tenth of the window's length of
its start and of its end (a listing or delisting mid-window is not); a portfolio holding any uncovered
position is reported as not covered (no number is invented).

Scenarios: the market falls 20 % (each position moves beta_252 x -20 %), 10-year yields rise 100 bp
(each position moves rate_beta x 1.00, rate beta being the return per +1 percentage point of DGS10),
and a sector shock (the portfolio's largest sector by gross exposure falls 10 %, directly).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np


@dataclass(frozen=True)
class HistoricalWindow:
    name: str
    start: date
    end: date
    description: str


HISTORICAL_WINDOWS = (
    HistoricalWindow("gfc_2008", date(2008, 9, 1), date(2008, 10, 31), "Lehman failure, Sep-Oct 2008"),
    HistoricalWindow("covid_2020", date(2020, 2, 19), date(2020, 3, 23), "COVID crash, 19 Feb - 23 Mar 2020"),
    HistoricalWindow("rates_2022", date(2022, 1, 3), date(2022, 10, 14), "2022 rate shock, Jan - mid Oct 2022"),
)
MARKET_SHOCK = -0.20
RATE_SHOCK_PP = 1.00  # +100 bp in percentage points of yield
SECTOR_SHOCK = -0.10


def window_returns(days: np.ndarray, closes: np.ndarray, window: HistoricalWindow) -> np.ndarray:
    """Each position's return over ``window`` from its closes ``(N, T)`` on sessions ``days`` ``(T,)``
    (ascending ``datetime64[D]``; NaN where a position has no bar); NaN where not covered."""
    start, end = np.datetime64(window.start, "D"), np.datetime64(window.end, "D")
    slack = (end - start) // 10
    inside = (days >= start) & (days <= end)
    d, c = days[inside], closes[:, inside]
    out = np.full(c.shape[0], np.nan)
    if d.size == 0:
        return out
    have = np.isfinite(c)
    rows = np.arange(c.shape[0])
    first, last = np.argmax(have, axis=1), d.size - 1 - np.argmax(have[:, ::-1], axis=1)
    ok = have.any(axis=1) & (d[first] <= start + slack) & (d[last] >= end - slack)
    out[ok] = c[rows, last][ok] / c[rows, first][ok] - 1.0
    return out


def replay(weights: np.ndarray, window_returns: np.ndarray) -> np.ndarray:
    """``weights`` ``(P, N)``, each position's return over the window ``(N,)`` (NaN: not covered)."""
    w = np.nan_to_num(weights)
    held = np.abs(w) > 0
    covered = ~np.any(held & ~np.isfinite(window_returns)[None, :], axis=1)
    out = w @ np.nan_to_num(window_returns)
    return np.where(covered, out, np.nan)


def market_shock(weights: np.ndarray, betas: np.ndarray, shock: float = MARKET_SHOCK) -> np.ndarray:
    return np.nan_to_num(weights) @ (np.nan_to_num(betas) * shock)


def rate_shock(weights: np.ndarray, rate_betas: np.ndarray, shock_pp: float = RATE_SHOCK_PP) -> np.ndarray:
    return np.nan_to_num(weights) @ (np.nan_to_num(rate_betas) * shock_pp)


def sector_shock(weights: np.ndarray, in_sector: np.ndarray, shock: float = SECTOR_SHOCK) -> np.ndarray:
    """``in_sector`` ``(P, N)`` boolean: the positions of each portfolio's shocked sector."""
    return np.sum(np.nan_to_num(weights) * in_sector, axis=1) * shock
