"""Historical stress windows on a hand-worked example: five positions' closes around a 33-day window
(19 Feb - 23 Mar 2020, so positions must have closes within 3 days of each end), two portfolios."""

from datetime import date

import numpy as np
import pytest

from valuation_platform.analytics.portfolio.stress import HISTORICAL_WINDOWS, HistoricalWindow, replay, window_returns
from valuation_platform.pipelines.portfolio.outlook import historical_rows

WINDOW = HistoricalWindow("covid", date(2020, 2, 19), date(2020, 3, 23), "test window")
DAYS = np.array(["2020-02-18", "2020-02-19", "2020-02-20", "2020-03-20", "2020-03-23", "2020-03-24"],
                dtype="datetime64[D]")
NAN = np.nan
CLOSES = np.array([
    [90.0, 100.0, 95.0, 85.0, 80.0, 70.0],  # A: 80 / 100 - 1 = -20 % (the bars outside the window ignored)
    [40.0, 50.0, 52.0, 54.0, 55.0, 60.0],   # B: 55 / 50 - 1 = +10 %
    [NAN, NAN, NAN, 30.0, 31.0, 32.0],      # C: listed on 20 Mar, 30 days after the start: not covered
    [20.0, 20.0, 19.0, NAN, NAN, NAN],      # D: last bar 20 Feb, a month before the end: not covered
    [NAN, NAN, 10.0, 11.0, 12.5, 13.0],     # E: first bar 20 Feb, 1 day late (within 3): 12.5 / 10 - 1 = +25 %
])
WEIGHTS = np.array([
    [0.6, -0.4, 0.0, 0.0, 0.2],  # 0.6 x -0.20 - 0.4 x 0.10 + 0.2 x 0.25 = -0.12 - 0.04 + 0.05 = -0.11
    [0.5, 0.0, 0.3, 0.0, 0.0],   # holds C: not covered
])


def test_window_returns_and_replay_by_hand():
    got = window_returns(DAYS, CLOSES, WINDOW)
    np.testing.assert_allclose(got, [-0.20, 0.10, NAN, NAN, 0.25], rtol=1e-12)
    ret = replay(WEIGHTS, got)
    assert ret[0] == pytest.approx(-0.11, abs=1e-12)
    assert np.isnan(ret[1])


def test_window_outside_the_history_is_not_covered():
    early = HistoricalWindow("gfc", date(2008, 9, 1), date(2008, 10, 31), "no bars then")
    assert np.isnan(window_returns(DAYS, CLOSES, early)).all()


def test_not_covered_row_says_why_and_invents_no_number():
    returns = {w.name: np.array([-0.20, 0.10, NAN, NAN, 0.25]) for w in HISTORICAL_WINDOWS}
    rows = historical_rows(["alpha", "beta"], np.array([1_000_000.0, 250_000.0]), WEIGHTS, returns)
    assert len(rows) == 2 * len(HISTORICAL_WINDOWS)
    gfc = {r["portfolio_id"]: r for r in rows if r["scenario"] == "gfc_2008"}
    assert gfc["alpha"]["covered"] is True and gfc["alpha"]["note"] is None
    assert gfc["alpha"]["portfolio_return"] == pytest.approx(-0.11, abs=1e-12)
    assert gfc["alpha"]["pnl"] == pytest.approx(-110_000.0, abs=1e-6)
    beta = gfc["beta"]
    assert beta["covered"] is False and beta["portfolio_return"] is None and beta["pnl"] is None
    assert beta["note"] == "price history does not cover 2008-09-01..2008-10-31 for every holding"
    assert beta["kind"] == "historical"
