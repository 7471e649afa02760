"""The IC Score marts' pictures, read from the marts right after dbt built them (Dagster-free; the dbt asset
attaches them to the mart's own materialization, see lib/dbt.with_pictures)."""

from __future__ import annotations

import psycopg

from valuation_platform.pipelines.report import Chart

LEADERS = 5  # lines on the history picture: the top of the overall leaderboard
HISTORY_DAYS = 365  # calendar days of history drawn (about a year of sessions)
QUINTILES = (1, 2, 3, 4, 5)


def leaders_history(conn: psycopg.Connection) -> dict[str, Chart]:
    """The overall leaderboard's top tickers and their overall score over the last year (mart_ic_score_leaders
    picks them; their history is fct_ic_scores)."""
    leaders = conn.execute("select ticker, score_date from marts.mart_ic_score_leaders where leaderboard = 'overall'"
                           " order by rank limit %s", (LEADERS,)).fetchall()
    if not leaders:
        return {}
    tickers, latest = [t for t, _ in leaders], leaders[0][1]
    rows = conn.execute("select score_date, ticker, overall_score from marts.fct_ic_scores where ticker = any(%s)"
                        " and score_date > %s::date - %s and score_date <= %s order by score_date",
                        (tickers, latest, HISTORY_DAYS, latest)).fetchall()
    dates = sorted({d for d, _, _ in rows})
    score = {(d, t): s for d, t, s in rows}
    return {"leaders_score_history": Chart(
        "score_history", f"IC Score of the top {len(tickers)} on {latest}, last {HISTORY_DAYS} days",
        {"date": dates, **{t: [score.get((d, t)) for d in dates] for t in tickers}})}


def quintile_returns(conn: psycopg.Connection) -> dict[str, Chart]:
    """Does the overall score rank? Mean forward return by score quintile over every score date with a known
    forward return (alphalens' mean return by quantile: each date's quintile mean, averaged over the dates),
    with the daily rank IC and its rolling mean (fct_ic_score_quality, all tickers, overall score)."""
    where = "from marts.fct_ic_score_quality where scope = 'all' and signal = 'overall_score'"
    means = conn.execute(f"select {', '.join(f'avg(q{q}_return)' for q in QUINTILES)}, count(*), "
                         f"min(score_date), max(score_date) {where}").fetchone()
    if not means or not means[len(QUINTILES)]:
        return {}
    *quintiles, dates, first, last = means
    ic = conn.execute(f"select score_date, ic, ic_mean_63d {where} and score_date > %s::date - %s"
                      " order by score_date", (last, HISTORY_DAYS)).fetchall()
    return {"quintile_returns": Chart(
        "quintile_returns", f"Overall IC Score: mean forward return by quintile, {dates} dates {first} to {last}",
        {"quintile": list(QUINTILES), "mean_return": quintiles,
         "date": [d for d, _, _ in ic], "ic": [v for _, v, _ in ic], "ic_mean": [m for _, _, m in ic]})}
