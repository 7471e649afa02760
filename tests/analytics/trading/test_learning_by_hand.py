"""The learning loop on a hand-worked example: closed round trips, win rate, average win and loss,
expectancy and drawdown by hand, Sharpe and drawdown also against empyrical-reloaded; drift and the
proposed meta-label threshold worked out trade by trade."""

from __future__ import annotations

import statistics
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pytest

from valuation_platform.analytics.trading.config import Playbook, Thresholds
from valuation_platform.analytics.trading.learning import (
    Fill, close_trades, drift_alerts, playbook_performance, proposed_threshold,
)

empyrical = pytest.importorskip("empyrical")
IST = timezone(timedelta(hours=5, minutes=30))
T0 = datetime(2026, 10, 5, 9, 30, tzinfo=IST)


def _fill(fid, trade, side, qty, price, hours, fees=0.0, score=0.6, playbook="breakout"):
    return Fill(fid, trade, "DESK-EQ", "X", side, qty, price, fees, T0 + timedelta(hours=hours), playbook, "s1", score)


FILLS = [
    # T1 LONG: 50 @ 99 + 50 @ 101 = 100 avg; sold 100 @ 110; fees 10 -> pnl 10 x 100 - 10 = 990; return 990 / 10,000
    _fill("a", "T1", "BUY", 50, 99.0, 0, fees=4.0), _fill("b", "T1", "BUY", 50, 101.0, 1, fees=4.0),
    _fill("c", "T1", "SELL", 100, 110.0, 6, fees=2.0),
    # T2 LONG: 10 @ 200 -> 190: pnl -100, return -100 / 2,000 = -0.05
    _fill("d", "T2", "BUY", 10, 200.0, 7), _fill("e", "T2", "SELL", 10, 190.0, 30),
    # T3 SHORT: sold 20 @ 50, covered @ 45: pnl -1 x (45 - 50) x 20 = 100, return 100 / 1,000 = 0.10
    _fill("f", "T3", "SELL", 20, 50.0, 31), _fill("g", "T3", "BUY", 20, 45.0, 50),
    # T4 LONG: 10 @ 100 -> 98: pnl -20, return -0.02
    _fill("h", "T4", "BUY", 10, 100.0, 51), _fill("i", "T4", "SELL", 10, 98.0, 75),
    # T5: still open (bought, not sold): left out
    _fill("j", "T5", "BUY", 10, 100.0, 76),
]
RETURNS = [0.099, -0.05, 0.10, -0.02]


def test_round_trips_by_hand() -> None:
    trades = close_trades(FILLS)
    assert [t["trade_id"] for t in trades] == ["T1", "T2", "T3", "T4"]
    t1 = trades[0]
    assert (t1["entry_price"], t1["exit_price"], t1["quantity"], t1["fees"]) == (100.0, 110.0, 100, 10.0)
    assert t1["pnl"] == pytest.approx(990.0) and t1["holding_hours"] == pytest.approx(6.0)
    assert trades[2]["direction"] == "SHORT" and trades[2]["pnl"] == pytest.approx(100.0)
    assert [t["return_pct"] for t in trades] == pytest.approx(RETURNS)
    assert [t["is_win"] for t in trades] == [True, False, True, False]
    assert {t["exit_month"] for t in trades} == {date(2026, 10, 1)}


def test_playbook_metrics_by_hand_and_against_empyrical() -> None:
    (row,) = playbook_performance(close_trades(FILLS))
    assert row["trades"] == 4 and row["win_rate"] == 0.5
    assert row["avg_win"] == pytest.approx((0.099 + 0.10) / 2)  # 0.0995
    assert row["avg_loss"] == pytest.approx((-0.05 - 0.02) / 2)  # -0.035
    # expectancy = 0.5 x 0.0995 + 0.5 x -0.035 = 0.03225 (= the mean return)
    assert row["expectancy"] == pytest.approx(0.03225)
    # equity 1.099 -> 1.04405 (-5 % from the 1.099 peak) -> 1.148455 (new peak) -> 1.1254859 (-2 %): worst -5 %
    assert row["max_drawdown"] == pytest.approx(-0.05)
    assert row["max_drawdown"] == pytest.approx(empyrical.max_drawdown(np.array(RETURNS)), abs=1e-12)
    # per-trade Sharpe: mean / stdev (ddof 1), no annualisation
    assert row["sharpe"] == pytest.approx(statistics.mean(RETURNS) / statistics.stdev(RETURNS), rel=1e-12)
    assert row["sharpe"] == pytest.approx(empyrical.sharpe_ratio(np.array(RETURNS), annualization=1), rel=1e-12)
    # holding hours 6, 23, 19, 24 -> 18; P&L 990 - 100 + 100 - 20 = 970
    assert row["avg_holding_hours"] == pytest.approx(18.0) and row["total_pnl"] == pytest.approx(970.0)


def _trades(returns_scores):
    return [{"trade_id": f"T{i}", "playbook": "p", "return_pct": r, "meta_score": s,
             "closed_at": T0 + timedelta(days=i)} for i, (r, s) in enumerate(returns_scores)]


LIMITS = Thresholds(
    MIN_LIQUIDITY_RATIO=20, ADV_SESSIONS=20, MAX_POSITION_PCT=0.1, MAX_SECTOR_EXPOSURE=0.3, EVENT_BLACKOUT_DAYS=3,
    REGIME_INDEX_SYMBOL="NIFTYBEES", REGIME_TREND_SESSIONS=10, REGIME_MAX_VOLATILITY=0.25, REGIME_MIN_SESSIONS=5,
    CATALYST_FRESHNESS_HOURS=48, WARN_FRACTION=0.8, RISK_FREE_RATE=0.065, ROLLING_TRADES=2, MAX_WIN_RATE_DROP=0.15,
    MAX_EXPECTANCY_DROP=0.01, MIN_THRESHOLD_TRADES=3)


def test_drift_raises_an_alert_and_proposes_a_threshold_for_approval() -> None:
    # baseline (first four): returns .05 .04 .03 -.01 -> win rate 0.75, expectancy 0.0275
    # rolling (last two): -.02 -.03 -> win rate 0, expectancy -0.025: drops 0.75 (> 0.15) and 0.0525 (> 0.01)
    trades = _trades([(0.05, 0.70), (0.04, 0.80), (0.03, 0.75), (-0.01, 0.50), (-0.02, 0.55), (-0.03, 0.60)])
    # proposal, cut-offs above the current 0.5: 0.55 keeps .05 .04 .03 -.02 -.03 -> 0.014 < 0.0275;
    # 0.60 keeps .05 .04 .03 -.03 -> 0.0225 < 0.0275; 0.70 keeps .05 .04 .03 -> 0.04 >= 0.0275 with 3 trades
    assert proposed_threshold(trades, 0.5, 0.0275, 3) == 0.70
    assert proposed_threshold(trades, 0.5, 0.0275, 4) is None  # 3 trades are too few then
    book = {"p": Playbook("p", 30, 2, 6, (1.0,), 0.5)}
    alerts = {a["metric"]: a for a in drift_alerts(trades, book, LIMITS)}
    assert set(alerts) == {"win_rate", "expectancy"}
    assert alerts["win_rate"]["baseline"] == pytest.approx(0.75) and alerts["win_rate"]["rolling"] == 0.0
    assert alerts["expectancy"]["decline"] == pytest.approx(0.0275 + 0.025)
    assert alerts["expectancy"]["proposed_threshold"] == 0.70
    assert {a["status"] for a in alerts.values()} == {"AWAITING_APPROVAL"}
    # a steady playbook raises nothing
    steady = _trades([(0.02, 0.6), (-0.01, 0.6), (0.02, 0.6), (-0.01, 0.6), (0.02, 0.6), (-0.01, 0.6)])
    assert drift_alerts(steady, book, LIMITS) == []
