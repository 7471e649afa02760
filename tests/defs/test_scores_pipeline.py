"""End to end on the shared demo: the IC Score marts after the whole graph ran on the generated mirror.

The score of every ticker on the latest session is recomputed here BY HAND from fct_ic_score_inputs: the
weights are the issue's numbers written below (not read from the seed), the percentiles are counted in
plain Python (share of peers strictly below, 0.5 when alone), and a factor is the mean of its measures'
percentiles; the result must equal the mart. The checks' own logic (pipelines/scores/invariants.py) is
run on the demo database, and the schedule is read from the loaded definitions.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import psycopg
import pytest

pytestmark = pytest.mark.xdist_group("shared_demo")

# The weights and the measures each factor reads (every measure oriented higher = better).
WEIGHTS = {"value": 0.12, "growth": 0.15, "profitability": 0.12, "financial_health": 0.10, "momentum": 0.08,
           "analyst_consensus": 0.10, "insider_activity": 0.08, "institutional": 0.10, "news_sentiment": 0.07,
           "technical": 0.08}
MEASURES = {
    "value": ["earnings_yield", "book_yield", "sales_yield"],
    "growth": ["revenue_growth", "revenue_cagr", "eps_growth", "fcf_growth"],
    "profitability": ["gross_margin", "operating_margin", "net_margin", "roe", "roa"],
    "financial_health": ["equity_to_capital", "current_ratio", "interest_coverage"],
    "momentum": ["return_1m", "return_3m", "return_6m", "return_12m"],
    "analyst_consensus": ["mean_rating", "target_upside"],
    "insider_activity": ["insider_net_30d_pct_mcap", "insider_net_90d_pct_mcap"],
    "institutional": ["institutional_pct", "institutional_change_qoq"],
    "news_sentiment": ["news_avg_7d", "news_avg_30d"],
    "technical": ["rsi_14", "macd_hist_pct", "price_vs_sma50", "price_vs_sma200"],
}
BANDS = [(80, "Strong Buy"), (65, "Buy"), (50, "Hold"), (35, "Underperform"), (1, "Sell")]


def rows_of(conn: psycopg.Connection, query: str, *params) -> list[dict]:
    cur = conn.execute(query, params)
    names = [d.name for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def percentile(value: float, peers: list[float]) -> float:
    if len(peers) == 1:
        return 0.5
    return sum(1 for p in peers if p < value) / (len(peers) - 1)


def test_every_score_of_the_latest_session_recomputed_by_hand(shared_demo) -> None:
    with psycopg.connect(shared_demo.db.url) as conn:
        day = conn.execute("select max(score_date) from marts.fct_ic_scores").fetchone()[0]
        inputs = rows_of(conn, "select * from marts.fct_ic_score_inputs where score_date = %s", day)
        mart = {r["ticker"]: r for r in rows_of(conn, "select * from marts.fct_ic_scores where score_date = %s", day)}
    all_measures = [m for ms in MEASURES.values() for m in ms]
    scorable = [r for r in inputs if r["close"] is not None and any(r[m] is not None for m in all_measures)]
    assert len(scorable) >= 10 and set(mart) == {r["ticker"] for r in scorable}

    by_sector = defaultdict(list)
    for r in scorable:
        by_sector[r["sector"]].append(r)
    for r in scorable:
        peers = by_sector[r["sector"]] if len(by_sector[r["sector"]]) >= 10 else scorable
        pct = {}
        for m in all_measures:
            values = [float(p[m]) for p in peers if p[m] is not None]
            pct[m] = percentile(float(r[m]), values) if r[m] is not None else None
        factors = {}
        for factor, measures in MEASURES.items():
            if factor == "news_sentiment":  # the two windows weighted by their article counts
                parts = [(pct["news_avg_7d"], r["articles_7d"]), (pct["news_avg_30d"], r["articles_30d"])]
                parts = [(p, n) for p, n in parts if p is not None and n]
                factors[factor] = 100 * sum(p * n for p, n in parts) / sum(n for _, n in parts) if parts else None
            else:
                present = [pct[m] for m in measures if pct[m] is not None]
                factors[factor] = 100 * sum(present) / len(present) if present else None
        present_weight = sum(WEIGHTS[f] for f, s in factors.items() if s is not None)
        raw = sum(WEIGHTS[f] * s for f, s in factors.items() if s is not None) / present_weight
        score = max(1, min(100, int(Decimal(raw).quantize(Decimal(1), rounding=ROUND_HALF_UP))))
        completeness = round(present_weight / sum(WEIGHTS.values()), 4)  # 90% exactly is Medium, float noise aside

        row = mart[r["ticker"]]
        for factor, expected in factors.items():
            got = row[f"{factor}_score"]
            assert (got is None) == (expected is None), (r["ticker"], factor)
            if expected is not None:
                assert got == pytest.approx(expected, abs=0.006), (r["ticker"], factor)
        assert row["overall_score"] == score, r["ticker"]
        assert row["rating"] == next(name for low, name in BANDS if score >= low)
        assert row["data_completeness"] == pytest.approx(completeness, abs=1e-4)
        assert row["confidence_level"] == ("High" if completeness > 0.9 else "Medium" if completeness >= 0.7 else "Low")
        assert row["peer_group"] == ("sector" if peers is not scorable else "universe")


def test_the_marts_account_for_the_universe_and_the_checks_pass(shared_demo) -> None:
    from valuation_platform.pipelines.scores.invariants import overall_ic_health, score_invariants, universe_coverage

    with psycopg.connect(shared_demo.db.url) as conn:
        invariants = score_invariants(conn)
        coverage = universe_coverage(conn)
        health = overall_ic_health(conn, floor=-1.0)
        leaders = rows_of(conn, "select * from marts.mart_ic_score_leaders where leaderboard = 'overall' order by rank")
        screener = conn.execute(
            """select (select count(*) from marts.mart_ic_score_screener),
                      (select count(*) from marts.fct_ic_scores where score_date = (select max(score_date) from marts.fct_ic_scores))"""
        ).fetchone()
        latest_lookup = conn.execute(
            "explain select * from marts.fct_ic_scores where ticker = %s order by score_date desc limit 1",
            (leaders[0]["ticker"],)).fetchall()
        changes = rows_of(conn, "select * from marts.fct_ic_score_changes")
    assert invariants.passed and invariants.rows > 0, invariants
    assert coverage.unaccounted == [] and coverage.scored > 0
    assert health.ic_count_63d > 0 and not health.below_floor and -1 <= health.ic_mean_63d <= 1
    assert [r["rank"] for r in leaders] == list(range(1, len(leaders) + 1))
    assert [r["overall_score"] for r in leaders] == sorted((r["overall_score"] for r in leaders), reverse=True)
    assert screener[0] == screener[1] > 0  # one wide row per ticker scored on the latest session
    assert any("Index" in line[0] for line in latest_lookup), latest_lookup  # one ticker's latest: an index scan
    for change in changes:
        assert abs(change["change"]) > 5 and change["overall_score"] - change["previous_score"] == change["change"]


def test_the_demo_materialized_the_scores_and_the_schedule_runs_after_the_close(shared_demo) -> None:
    import datetime

    import dagster as dg

    from valuation_platform.defs.scores.automation import ic_score_daily, scores_daily_job

    materialized = {name for stage in shared_demo.stages for name in stage.materialized}
    assert {"marts/fct_ic_scores", "marts/fct_ic_score_quality", "marts/mart_ic_score_screener"} <= materialized
    checks = ("ic_scores_are_consistent", "every_ticker_accounted_for", "ic_above_floor")
    assert [step for stage in shared_demo.stages for step in stage.failed if any(c in step for c in checks)] == []

    assert ic_score_daily.cron_schedule == "0 19 * * 1-5"
    assert ic_score_daily.execution_timezone == "America/New_York"
    assert ic_score_daily.job_name == scores_daily_job.name
    new_york = datetime.timezone(datetime.timedelta(hours=-5))
    thanksgiving = dg.build_schedule_context(scheduled_execution_time=datetime.datetime(2026, 11, 26, 19, tzinfo=new_york))
    assert ic_score_daily.evaluate_tick(thanksgiving).skip_message  # NYSE closed: no run
    # with the code location, as the daemon evaluates it: the session's partition is one the job has
    from valuation_platform.definitions import build_defs

    defs = build_defs()
    friday = dg.build_schedule_context(scheduled_execution_time=datetime.datetime(2026, 11, 27, 19, tzinfo=new_york),
                                       repository_def=defs.get_repository_def())
    [request] = ic_score_daily.evaluate_tick(friday).run_requests
    assert (request.run_key, request.partition_key) == ("2026-11-27", "2026-11-27")
    # the marts the scores read are rebuilt by this run (no load's job selects them), the weekly SEC ones are not
    graph = defs.resolve_asset_graph()
    selected = {k.to_user_string() for k in scores_daily_job.selection.resolve(graph)}
    assert {"marts/fct_daily_prices", "marts/fct_technical_indicators", "marts/fct_valuation_ratios",
            "marts/fct_insider_trades", "marts/fct_ic_scores", "marts/fct_ic_score_quality"} <= selected
    assert "marts/fct_financial_statements" not in selected and "polygon_daily_bars" not in selected



def test_the_marts_materializations_carry_their_pictures(shared_demo) -> None:
    """The dbt step put each picture on its mart's own materialization event (lib/dbt.with_pictures): a markdown
    PNG the asset page shows, drawn from the mart just built (its title names the mart's latest score date)."""
    import dagster as dg

    from valuation_platform.warehouse.connection import connect

    with connect(shared_demo.db) as conn:
        latest = conn.execute("select max(score_date)::text from marts.mart_ic_score_leaders").fetchone()[0]
        last_ic = conn.execute("select max(score_date)::text from marts.fct_ic_score_quality").fetchone()[0]
    expected = {"mart_ic_score_leaders": ("leaders_score_history", f"![IC Score of the top 5 on {latest}"),
                "fct_ic_score_quality": ("quintile_returns", "![Overall IC Score: mean forward return by quintile")}
    with shared_demo.instance() as instance:
        for mart, (key, alt) in expected.items():
            event = instance.get_latest_materialization_event(dg.AssetKey(["marts", mart]))
            assert event is not None, mart
            picture = event.asset_materialization.metadata[key]
            assert isinstance(picture, dg.MarkdownMetadataValue) and picture.value.startswith(alt), mart
            assert "](data:image/png;base64," in picture.value
    assert last_ic is not None  # the demo's window is long enough for forward returns
