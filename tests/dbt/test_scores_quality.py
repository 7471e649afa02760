"""fct_ic_score_quality on a hand-made panel: 10 tickers x 3 score dates, forward returns over 1 session
(dbt var scores_forward_sessions=1, so 4 sessions of prices suffice).

The IC is checked against scipy.stats.spearmanr, the quintile returns against pandas following alphalens
(rank(method='first') in ticker order, then qcut into 5), and the all-tied date against values worked
out by hand below: ten equal scores have no IC, and ties ranked first put tickers A,B in quintile 1.

The model is incremental: a second panel (10 sessions, built on its first 6, then on all 10) checks that an
incremental run equals a full build row for row, that the rolling IC window reads the earlier dates back from
the table, and which dates a run recomputes: the last few it holds (scores_quality_lookback), not older ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import numpy as np
import pandas as pd
import psycopg
import pytest
from scipy.stats import spearmanr

from tests.support.scores_dbt import ScoresDbt
from valuation_platform.warehouse.settings import DatabaseSettings

# One worker builds the module's database (a fixed name): split over two workers, one dropped it under the other.
pytestmark = pytest.mark.xdist_group("scores_quality")

FACTORS = ["value", "growth", "profitability", "financial_health", "momentum", "analyst_consensus",
           "insider_activity", "institutional", "news_sentiment", "technical"]
SESSIONS = [date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4), date(2026, 3, 5)]
TICKERS = list("ABCDEFGHIJ")
SECTOR = {t: ("Tech" if i < 5 else "Energy") for i, t in enumerate(TICKERS)}
# closes per session: forward return of ticker k (0-based) from the third session is (k + 1) / 100
CLOSES = {
    SESSIONS[0]: [100, 50, 80, 120, 60, 90, 70, 110, 40, 30],
    SESSIONS[1]: [101, 52, 79, 125, 66, 88, 77, 99, 44, 33],
    SESSIONS[2]: [100] * 10,
    SESSIONS[3]: [101, 102, 103, 104, 105, 106, 107, 108, 109, 110],
}
SCORES = {  # overall scores per score date; value_score only on the first date (with ties)
    SESSIONS[0]: [55, 70, 55, 90, 20, 55, 61, 12, 70, 33],
    SESSIONS[1]: [10, 20, 30, 40, 50, 60, 70, 80, 90, 99],
    SESSIONS[2]: [50] * 10,
}
VALUE_SCORES = [10.5, 10.5, 80.0, 80.0, 80.0, 42.25, 3.0, 99.0, 60.0, 60.0]


def input_marts(pg_admin: DatabaseSettings, name: str) -> DatabaseSettings:
    """A fresh database ``name`` holding the two input marts, empty, with the columns the model reads."""
    from valuation_platform.warehouse.embedded import drop_database, ensure_database

    drop_database(pg_admin, name)
    ensure_database(pg_admin, name)
    db = pg_admin.with_dbname(name)
    factor_columns = ", ".join(f"{f}_score double precision" for f in FACTORS)
    with psycopg.connect(db.url) as conn:
        conn.execute("create schema marts")
        conn.execute("create table marts.fct_daily_prices (ticker text, trade_date date, close double precision)")
        conn.execute(f"create table marts.fct_ic_scores (ticker text, score_date date, sector text,"
                     f" overall_score integer, {factor_columns})")
    return db


def quality_table(db: DatabaseSettings) -> pd.DataFrame:
    with psycopg.connect(db.url) as conn:
        cur = conn.execute("select * from marts.fct_ic_score_quality order by score_date, scope, signal")
        return pd.DataFrame.from_records(cur.fetchall(), columns=[d.name for d in cur.description], coerce_float=True)


@pytest.fixture(scope="module")
def quality(pg_admin, tmp_path_factory) -> pd.DataFrame:
    from valuation_platform.warehouse.embedded import drop_database

    name = "vpt_scores_quality"
    db = input_marts(pg_admin, name)
    with psycopg.connect(db.url) as conn:
        for day, closes in CLOSES.items():
            for ticker, close in zip(TICKERS, closes):
                conn.execute("insert into marts.fct_daily_prices values (%s, %s, %s)", (ticker, day, close))
        for day, scores in SCORES.items():
            for i, (ticker, score) in enumerate(zip(TICKERS, scores)):
                value = VALUE_SCORES[i] if day == SESSIONS[0] else None
                conn.execute("insert into marts.fct_ic_scores (ticker, score_date, sector, overall_score, value_score)"
                             " values (%s, %s, %s, %s, %s)", (ticker, day, SECTOR[ticker], score, value))
    try:
        ScoresDbt(db, tmp_path_factory.mktemp("dbt_quality")).build(
            "fct_ic_score_quality", {"scores_forward_sessions": 1})
        yield quality_table(db)
    finally:
        drop_database(pg_admin, name)


def forward_returns(day: date) -> pd.Series:
    start, end = CLOSES[day], CLOSES[SESSIONS[SESSIONS.index(day) + 1]]
    return pd.Series([e / s - 1 for s, e in zip(start, end)], index=TICKERS)


def alphalens_quintile_means(signal: pd.Series, returns: pd.Series) -> list[float]:
    ranks = signal.sort_index().rank(method="first")  # ties: first in ticker order
    quintile = pd.qcut(ranks, 5, labels=False) + 1
    return [returns[quintile == q].mean() for q in range(1, 6)]


def row(quality: pd.DataFrame, day: date, scope: str, signal: str) -> pd.Series:
    match = quality[(quality.score_date == day) & (quality.scope == scope) & (quality.signal == signal)]
    assert len(match) == 1, (day, scope, signal)
    return match.iloc[0]


def test_ic_matches_scipy_spearman_overall_per_sector_and_per_factor(quality: pd.DataFrame) -> None:
    for day in SESSIONS[:2]:
        scores, returns = pd.Series(SCORES[day], index=TICKERS), forward_returns(day)
        got = row(quality, day, "all", "overall_score")
        assert got.n_tickers == 10
        assert got.ic == pytest.approx(spearmanr(scores, returns).statistic, abs=1e-12)
        for sector in ("Tech", "Energy"):
            members = [t for t in TICKERS if SECTOR[t] == sector]
            expected = spearmanr(scores[members], returns[members]).statistic
            assert row(quality, day, sector, "overall_score").ic == pytest.approx(expected, abs=1e-12)
    value = row(quality, SESSIONS[0], "all", "value")
    expected = spearmanr(pd.Series(VALUE_SCORES, index=TICKERS), forward_returns(SESSIONS[0])).statistic
    assert value.ic == pytest.approx(expected, abs=1e-12)
    # a factor with no score that day has no row
    assert quality[(quality.score_date == SESSIONS[1]) & (quality.signal == "value")].empty
    assert quality[quality.signal == "growth"].empty


def test_quintile_returns_rank_ties_first_like_alphalens(quality: pd.DataFrame) -> None:
    for day, signal, values in [(SESSIONS[0], "overall_score", SCORES[SESSIONS[0]]),
                                (SESSIONS[1], "overall_score", SCORES[SESSIONS[1]]),
                                (SESSIONS[0], "value", VALUE_SCORES)]:
        got = row(quality, day, "all", signal)
        expected = alphalens_quintile_means(pd.Series(values, index=TICKERS), forward_returns(day))
        assert [got[f"q{q}_return"] for q in range(1, 6)] == pytest.approx(expected, abs=1e-12)
        assert got.top_minus_bottom == pytest.approx(expected[4] - expected[0], abs=1e-12)


def test_all_tied_date_worked_by_hand(quality: pd.DataFrame) -> None:
    # every score is 50: Spearman is undefined; ranked first in ticker order, quintile 1 holds A and B
    # (forward returns 1% and 2%), quintile 5 holds I and J (9% and 10%)
    got = row(quality, SESSIONS[2], "all", "overall_score")
    assert got.ic is None or np.isnan(got.ic)
    assert got.q1_return == pytest.approx(0.015, abs=1e-12)
    assert got.q3_return == pytest.approx(0.055, abs=1e-12)
    assert got.q5_return == pytest.approx(0.095, abs=1e-12)
    assert got.top_minus_bottom == pytest.approx(0.08, abs=1e-12)
    # the rolling mean and IR skip the undefined IC: the mean of the first two dates' ICs
    ics = [row(quality, d, "all", "overall_score").ic for d in SESSIONS[:2]]
    assert got.ic_count_63d == 2
    assert got.ic_mean_63d == pytest.approx(np.mean(ics), abs=1e-12)
    assert got.ic_ir_63d == pytest.approx(np.mean(ics) / np.std(ics, ddof=1), abs=1e-12)


# The incremental panel: 10 sessions; forward returns over 1 session, a 3-date IC window, a 2-date lookback.
INC_SESSIONS = [d.date() for d in pd.bdate_range("2026-04-01", periods=10)]
FIRST_RUN = 6  # the full build sees the first 6 sessions: score dates 0..4 have a forward return
INC_VARS = {"scores_forward_sessions": 1, "scores_ic_window": 3, "scores_quality_lookback": 2}


def incremental_panel() -> tuple[dict[date, list[float]], list[tuple]]:
    """Closes per session, and score rows (ticker, date, sector, overall, value, growth): overall scores with
    ties, value on every date, growth on even sessions only (its rolling window spans more dates)."""
    rng = np.random.default_rng(11)
    closes = 100 * np.cumprod(1 + rng.normal(0, 0.03, (len(INC_SESSIONS), len(TICKERS))), axis=0)
    rows = []
    for i, day in enumerate(INC_SESSIONS):
        overall = rng.integers(1, 8, len(TICKERS)) * 10  # 7 levels for 10 tickers: ties every day
        value = rng.normal(0, 1, len(TICKERS))
        growth = rng.normal(0, 1, len(TICKERS))
        for k, ticker in enumerate(TICKERS):
            rows.append((ticker, day, SECTOR[ticker], int(overall[k]), float(value[k]),
                         float(growth[k]) if i % 2 == 0 else None))
    return {day: [float(c) for c in closes[i]] for i, day in enumerate(INC_SESSIONS)}, rows


def on_dates(frame: pd.DataFrame, days: list[date]) -> pd.DataFrame:
    return frame[frame.score_date.isin(days)].reset_index(drop=True)


def assert_same_rows(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Same keys in the same order, every column equal (floats within 1e-12; NULL where NULL)."""
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected.reset_index(drop=True),
                                  check_exact=False, rtol=1e-12, atol=1e-12)


@pytest.fixture(scope="module")
def incremental_runs(pg_admin, tmp_path_factory) -> Iterator[dict[str, pd.DataFrame]]:
    """The table after each step: ``first`` (full build on 6 sessions), ``incremental`` (4 more sessions, and a
    close of the last held date's session corrected, inside the lookback), ``full`` (--full-refresh of that
    data), ``stale`` (a close of an early session corrected, before the lookback, incremental run) and
    ``refreshed`` (--full-refresh of that)."""
    from valuation_platform.warehouse.embedded import drop_database

    name = "vpt_scores_quality_incremental"
    db = input_marts(pg_admin, name)
    closes, scores = incremental_panel()
    dbt = ScoresDbt(db, tmp_path_factory.mktemp("dbt_quality_incremental"))

    def add_sessions(days: list[date]) -> None:
        with psycopg.connect(db.url) as conn:
            conn.cursor().executemany("insert into marts.fct_daily_prices values (%s, %s, %s)",
                                      [(t, d, c) for d in days for t, c in zip(TICKERS, closes[d])])
            conn.cursor().executemany(
                "insert into marts.fct_ic_scores (ticker, score_date, sector, overall_score, value_score, growth_score)"
                " values (%s, %s, %s, %s, %s, %s)", [r for r in scores if r[1] in days])

    def correct_close(day: date, ticker: str, factor: float) -> None:
        with psycopg.connect(db.url) as conn:
            conn.execute("update marts.fct_daily_prices set close = close * %s where trade_date = %s and ticker = %s",
                         (factor, day, ticker))

    def build(full_refresh: bool = False) -> pd.DataFrame:
        dbt.build("fct_ic_score_quality", INC_VARS, full_refresh=full_refresh)
        return quality_table(db)

    try:
        add_sessions(INC_SESSIONS[:FIRST_RUN])
        runs = {"first": build()}
        add_sessions(INC_SESSIONS[FIRST_RUN:])
        # session 4 is the last held score date's start and session 3's end: both inside the 2-date lookback
        correct_close(INC_SESSIONS[4], "C", 1.5)
        runs["incremental"] = build()
        runs["full"] = build(full_refresh=True)
        # session 1 moves the forward returns of score dates 0 and 1, long before the held dates 7 and 8
        correct_close(INC_SESSIONS[1], "F", 0.5)
        runs["stale"] = build()
        runs["refreshed"] = build(full_refresh=True)
        yield runs
    finally:
        drop_database(pg_admin, name)


def test_incremental_run_equals_a_full_build_row_for_row(incremental_runs: dict[str, pd.DataFrame]) -> None:
    full, incremental = incremental_runs["full"], incremental_runs["incremental"]
    # score dates 0..8 (the 10th session has no forward return), each scope and signal with data
    assert sorted(full.score_date.unique()) == INC_SESSIONS[:-1]
    assert set(full.signal) == {"overall_score", "value", "growth"}
    assert set(full.scope) == {"all", "Tech", "Energy"}
    assert_same_rows(incremental, full)


def test_rolling_window_spans_both_runs(incremental_runs: dict[str, pd.DataFrame]) -> None:
    # oracle: pandas' rolling mean / sample std / count over each scope and signal's last 3 rows (dates with
    # data), which for the new dates 5..8 reach back into the first run's dates (growth: every other date)
    incremental = incremental_runs["incremental"]
    for (scope, signal), rows in incremental.groupby(["scope", "signal"]):
        window = rows.ic.rolling(3, min_periods=1)
        pd.testing.assert_series_equal(rows.ic_mean_63d, window.mean(), check_names=False, rtol=1e-12, atol=1e-12)
        pd.testing.assert_series_equal(rows.ic_std_63d, window.std(), check_names=False, rtol=1e-12, atol=1e-12)
        assert rows.ic_count_63d.tolist() == window.count().astype(int).tolist(), (scope, signal)
    growth = incremental[(incremental.scope == "all") & (incremental.signal == "growth")]
    assert growth.score_date.tolist() == INC_SESSIONS[0:9:2]
    assert growth.ic_count_63d.tolist() == [1, 2, 3, 3, 3]


def test_a_corrected_close_inside_the_lookback_is_recomputed(incremental_runs: dict[str, pd.DataFrame]) -> None:
    first, incremental, full = (incremental_runs[k] for k in ("first", "incremental", "full"))
    lookback = INC_SESSIONS[3:5]  # the first run's last 2 score dates, whose forward returns the correction moved
    assert not np.allclose(on_dates(first, lookback).ic, on_dates(full, lookback).ic, rtol=0, atol=1e-9)
    assert_same_rows(on_dates(incremental, lookback), on_dates(full, lookback))
    assert_same_rows(on_dates(incremental, INC_SESSIONS[:3]), on_dates(first, INC_SESSIONS[:3]))


def test_a_corrected_close_before_the_lookback_is_not_recomputed(incremental_runs: dict[str, pd.DataFrame]) -> None:
    # Designed: an incremental run recomputes only the last scores_quality_lookback dates it holds (7 and 8
    # here), so a correction older than that stays out until a --full-refresh.
    full, stale, refreshed = (incremental_runs[k] for k in ("full", "stale", "refreshed"))
    moved = INC_SESSIONS[:2]
    assert not np.allclose(on_dates(full, moved).ic, on_dates(refreshed, moved).ic, rtol=0, atol=1e-9)
    assert_same_rows(on_dates(stale, INC_SESSIONS[:7]), on_dates(full, INC_SESSIONS[:7]))
    assert_same_rows(on_dates(stale, INC_SESSIONS[7:9]), on_dates(refreshed, INC_SESSIONS[7:9]))
