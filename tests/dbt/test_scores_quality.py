"""fct_ic_score_quality on a hand-made panel: 10 tickers x 3 score dates, forward returns over 1 session
(dbt var scores_forward_sessions=1, so 4 sessions of prices suffice).

The IC is checked against scipy.stats.spearmanr, the quintile returns against pandas following alphalens
(rank(method='first') in ticker order, then qcut into 5), and the all-tied date against values worked
out by hand below: ten equal scores have no IC, and ties ranked first put tickers A,B in quintile 1.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import psycopg
import pytest
from scipy.stats import spearmanr

from tests.support.scores_dbt import ScoresDbt

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


@pytest.fixture(scope="module")
def quality(pg_admin, tmp_path_factory) -> pd.DataFrame:
    from valuation_platform.warehouse.embedded import drop_database, ensure_database

    name = "vpt_scores_quality"
    drop_database(pg_admin, name)
    ensure_database(pg_admin, name)
    db = pg_admin.with_dbname(name)
    factor_columns = ", ".join(f"{f}_score double precision" for f in FACTORS)
    with psycopg.connect(db.url) as conn:
        conn.execute("create schema marts")
        conn.execute("create table marts.fct_daily_prices (ticker text, trade_date date, close double precision)")
        conn.execute(f"create table marts.fct_ic_scores (ticker text, score_date date, sector text,"
                     f" overall_score integer, {factor_columns})")
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
        with psycopg.connect(db.url) as conn:
            cur = conn.execute("select * from marts.fct_ic_score_quality order by score_date, scope, signal")
            frame = pd.DataFrame(cur.fetchall(), columns=[d.name for d in cur.description])
        yield frame
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
