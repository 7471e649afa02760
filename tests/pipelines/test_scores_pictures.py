"""The IC Score marts' pictures, read from hand-filled marts in a real Postgres, and the dbt event hook that puts
them on the marts' own materializations."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta

import dagster as dg
import pytest

from valuation_platform.lib.dbt import with_pictures
from valuation_platform.pipelines.report import Chart
from valuation_platform.pipelines.scores.pictures import leaders_history, quintile_returns
from valuation_platform.warehouse.connection import connect

D1, D2, D3 = date(2025, 3, 3), date(2025, 3, 4), date(2025, 3, 5)


@pytest.fixture
def marts(fresh_db):
    """The three marts' columns the pictures read, filled by hand (plus rows they must ignore)."""
    with connect(fresh_db) as conn:
        conn.execute("create schema marts")
        conn.execute("create table marts.mart_ic_score_leaders (leaderboard text, rank int, score_date date, ticker text)")
        conn.execute("create table marts.fct_ic_scores (score_date date, ticker text, overall_score int)")
        conn.execute("create table marts.fct_ic_score_quality (score_date date, scope text, signal text, ic float8,"
                     " ic_mean_63d float8, q1_return float8, q2_return float8, q3_return float8, q4_return float8,"
                     " q5_return float8)")
        yield conn


def test_quintile_means_are_the_averages_of_the_daily_quintile_means(marts) -> None:
    rows = [
        (D1, "all", "overall_score", 0.10, 0.10, -0.02, -0.01, 0.00, 0.01, 0.02),
        (D2, "all", "overall_score", 0.30, 0.20, 0.00, 0.01, 0.01, 0.02, 0.04),
        (D3, "all", "overall_score", None, 0.20, None, None, None, None, None),  # n < 5 that day: no quintiles
        (D1, "Technology", "overall_score", 0.9, 0.9, 1, 1, 1, 1, 1),  # a sector scope: not drawn
        (D1, "all", "value", -0.9, -0.9, 1, 1, 1, 1, 1),  # a factor signal: not drawn
    ]
    marts.cursor().executemany("insert into marts.fct_ic_score_quality values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", rows)
    chart = quintile_returns(marts)["quintile_returns"]
    assert chart.kind == "quintile_returns"
    assert chart.data["quintile"] == [1, 2, 3, 4, 5]  # alphalens: quintile 1 holds the lowest scores
    # (-0.02 + 0.00) / 2, (-0.01 + 0.01) / 2, (0 + 0.01) / 2, (0.01 + 0.02) / 2, (0.02 + 0.04) / 2
    assert chart.data["mean_return"] == pytest.approx([-0.01, 0.0, 0.005, 0.015, 0.03], abs=1e-15)
    assert chart.data["date"] == [D1, D2, D3] and chart.data["ic"] == [0.10, 0.30, None]
    assert chart.data["ic_mean"] == [0.10, 0.20, 0.20]
    assert "3 dates 2025-03-03 to 2025-03-05" in chart.title


def test_the_leaders_history_is_the_top_five_over_the_last_year(marts) -> None:
    leaders = [("overall", rank, D3, ticker) for rank, ticker in enumerate(["EEE", "AAA", "DDD", "BBB", "CCC", "FFF"], 1)]
    marts.cursor().executemany("insert into marts.mart_ic_score_leaders values (%s, %s, %s, %s)",
                      [*leaders, ("Technology", 1, D3, "ZZZ")])
    year_ago = D3 - timedelta(days=365)  # one day too old to draw
    marts.cursor().executemany("insert into marts.fct_ic_scores values (%s, %s, %s)", [
        (year_ago, "EEE", 10), (D1, "EEE", 90), (D2, "EEE", 91), (D3, "EEE", 92), (D1, "AAA", 70), (D3, "AAA", 88),
        (D3, "DDD", 87), (D3, "BBB", 86), (D3, "CCC", 85), (D3, "FFF", 84), (D3, "ZZZ", 99)])
    chart = leaders_history(marts)["leaders_score_history"]
    assert chart.kind == "score_history" and chart.title.startswith("IC Score of the top 5 on 2025-03-05")
    assert list(chart.data) == ["date", "EEE", "AAA", "DDD", "BBB", "CCC"]  # rank order; FFF is sixth
    assert chart.data["date"] == [D1, D2, D3]
    assert chart.data["EEE"] == [90, 91, 92] and chart.data["AAA"] == [70, None, 88]
    assert chart.data["CCC"] == [None, None, 85]


def test_empty_marts_draw_nothing(marts) -> None:
    assert quintile_returns(marts) == {} and leaders_history(marts) == {}


def test_the_dbt_hook_adds_the_pictures_to_the_named_marts_output_only() -> None:
    opened = []

    @contextmanager
    def fake_connect():
        opened.append("conn")
        yield "conn"

    def draw(conn):
        assert conn == "conn"
        return {"bridge": Chart("waterfall", "AAA", {"step": ["previous", "x", "current"], "value": [1.0, 1.0, 2.0]})}

    events = [
        dg.Output(None, output_name="marts_fct_ic_score_quality",
                  metadata={"unique_id": "model.valuation_platform.fct_ic_score_quality", "dagster/row_count": 3}),
        dg.Output(None, output_name="marts_fct_ic_scores",
                  metadata={"unique_id": "model.valuation_platform.fct_ic_scores", "dagster/row_count": 9}),
        dg.AssetCheckResult(asset_key="x", passed=True),
    ]
    out = list(with_pictures(iter(events), {"fct_ic_score_quality": draw}, fake_connect))
    assert opened == ["conn"]  # one connection, for the one mart with pictures
    assert out[0].output_name == "marts_fct_ic_score_quality" and out[0].metadata["dagster/row_count"].value == 3
    assert out[0].metadata["bridge"].value.startswith("![AAA](data:image/png;base64,")
    assert "bridge" not in out[1].metadata and out[1] is events[1] and out[2] is events[2]
