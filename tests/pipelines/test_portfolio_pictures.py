"""The risk phase's picture from a hand-built book: which portfolio, and the numbers it draws."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import polars as pl
import pytest

from valuation_platform.pipelines.portfolio.book import Book, backcast, weight_matrix
from valuation_platform.pipelines.portfolio.pictures import risk_picture

SESSIONS = [date(2024, 1, 2), date(2024, 1, 3), date(2024, 1, 4), date(2024, 1, 5), date(2024, 1, 8)]


def test_the_largest_portfolio_its_backcast_nav_drawdown_and_contributions() -> None:
    # AAA: 100 -> 110 -> 99 -> 108.9 -> 108.9, returns +10 %, -10 %, +10 %, 0; BBB never moves
    closes = np.array([[100.0, 110.0, 99.0, 108.9, 108.9], [50.0] * 5, [400.0, 404.0, 400.0, 404.0, 404.0]])
    book = Book(SESSIONS[-1], SESSIONS, ["AAA", "BBB", "SPY"], closes, np.full(5, 4.0), pl.DataFrame())
    exposures = pl.DataFrame({"portfolio_id": ["SMALL", "BIG", "BIG"], "ticker": ["AAA", "AAA", "BBB"],
                              "weight": [1.0, 0.5, 0.5], "nav": [1000.0, 2000.0, 2000.0]})
    portfolios, weights = weight_matrix(exposures, book.tickers)
    chart = risk_picture(book, exposures, portfolios, weights, backcast(weights, book.returns), days=252)

    assert chart.kind == "portfolio_risk" and chart.title.startswith("BIG on 2024-01-08")  # NAV 2,000 > 1,000
    data = chart.data
    assert data["date"] == SESSIONS[1:]  # one return per session after the first
    # BIG's back-cast returns: 0.5 x AAA = +5 %, -5 %, +5 %, 0; wealth 1.05, 0.9975, 1.047375, 1.047375,
    # scaled so the last point is today's NAV of 2,000
    wealth = [1.05, 0.9975, 1.047375, 1.047375]
    assert data["nav"] == pytest.approx([2000 * w / 1.047375 for w in wealth], rel=1e-12)
    assert data["nav"][-1] == pytest.approx(2000.0, rel=1e-12)
    # drawdown from the 1.05 peak: 0, -5 %, -0.25 %, -0.25 %
    assert data["drawdown"] == pytest.approx([0.0, -0.05, -0.0025, -0.0025], abs=1e-12)
    # AAA's returns have mean 2.5 %, squared deviations 0.005625 + 0.015625 + 0.005625 + 0.000625 = 0.0275,
    # variance 0.0275 / 3; BBB is flat, so AAA carries the whole volatility 0.5 sqrt(0.0275 / 3) sqrt(252)
    assert data["holding"] == ["AAA", "BBB"]
    assert data["contribution"] == pytest.approx([0.5 * math.sqrt(0.0275 / 3) * math.sqrt(252), 0.0], abs=1e-12)
