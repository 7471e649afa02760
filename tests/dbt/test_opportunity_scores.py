"""marts.fct_opportunity_scores on a worked example: real dbt over rows loaded into the tables the Python assets
write (universe, drivers, valuations, bhavcopy). The volatility oracle is the standard library's sample SD."""

from datetime import UTC, date, datetime
from math import sqrt
from statistics import stdev

import psycopg
import pytest

from tests.pipelines.test_valuation_day import universe_row
from tests.support.dbt_build import dbt_build
from valuation_platform.warehouse.bootstrap import ensure_tables
from valuation_platform.warehouse.connection import connect
from valuation_platform.warehouse.tables.india import INDIA_DRIVERS, INDIA_UNIVERSE
from valuation_platform.warehouse.tables.valuation import NSE_BHAVCOPY, VALUATIONS
from valuation_platform.warehouse.upsert import upsert

NOW = datetime(2024, 7, 10, 15, 0, tzinfo=UTC)
SESSIONS = [date(2024, 7, d) for d in (4, 5, 8, 9, 10)]
BANK_RETURNS = [0.01, -0.01, 0.01, -0.01, 0.01]


def company(symbol: str, group: str, subgroup: str, industry: str) -> dict:
    sector = "Financials" if group == "FINANCIALS" else "Information Technology"
    return {**universe_row(symbol, group, subgroup), "cd_sector": sector, "cd_industry": industry}


def driver(level: str, group: str, subgroup: str | None, category: str, name: str, weight: float | None,
           sensitivity: int | None, direction: str) -> dict:
    key = "|".join(p for p in (level, group, subgroup, name) if p)
    return {"driver_key": key, "driver_level": level, "valuation_group": group, "valuation_subgroup": subgroup,
            "driver_category": category, "driver_name": name, "weight": weight, "sensitivity": sensitivity,
            "direction": direction, "current_value": 1.0, "previous_value": 1.0, "updated_at": NOW,
            "updated_by": "pm_edit"}


def valuation(symbol: str, day: date, group: str, subgroup: str, upside: float) -> dict:
    return {"nse_symbol": symbol, "valuation_date": day, "scenario": "base", "model": "FCFF",
            "valuation_group": group, "valuation_subgroup": subgroup, "intrinsic_value_per_share": 100.0,
            "cmp": 100.0 / (1 + upside / 100), "upside_pct": upside, "cost_of_equity": 0.14, "terminal_growth": 0.05,
            "forecast_years": 10, "statements_as_of": date(2024, 3, 31)}


def bars(symbol: str, returns: list[float]) -> list[dict]:
    return [{"trade_date": d, "nse_symbol": symbol, "series": "EQ", "close": 100 * (1 + r), "prev_close": 100.0,
             "layout": "udiff", "document": "t"} for d, r in zip(SESSIONS, returns)]


def test_opportunity_scores_worked_example(fresh_db, tmp_path):
    banks, it = ("FINANCIALS", "FINANCIALS_BANKS"), ("TECHNOLOGY", "TECHNOLOGY_IT_SERVICES")
    with connect(fresh_db) as conn:
        ensure_tables(conn, [INDIA_UNIVERSE, INDIA_DRIVERS, VALUATIONS, NSE_BHAVCOPY])
        upsert(conn, INDIA_UNIVERSE, [company("HDFCBANK", *banks, "Bank - Private"),
                                      company("SBIN", *banks, "Bank - Public"),
                                      company("TCS", *it, "IT - Software")])
        upsert(conn, INDIA_DRIVERS, [
            driver("GROUP", "FINANCIALS", None, "DEMAND", "system_credit_growth", 0.25, 1, "UP"),
            driver("GROUP", "FINANCIALS", None, "COST", "policy_repo_rate", 0.20, -1, "UP"),
            driver("SUBGROUP", *banks, "DEMAND", "loan_growth", 0.15, 1, "DOWN"),
            driver("SUBGROUP", *banks, "REGULATORY", "basel_norms", 0.10, None, "UP"),  # no sign: left out
            driver("GROUP", "FINANCIALS", None, "MACRO_SIGNAL", "cpi_general", None, -1, "DOWN"),
            driver("SUBGROUP", *banks, "MACRO_SIGNAL", "gva_financial", None, 1, "DOWN"),
            driver("GROUP", "TECHNOLOGY", None, "DEMAND", "us_tech_spend", 0.30, 1, "STABLE"),
        ])
        upsert(conn, VALUATIONS, [valuation("HDFCBANK", date(2024, 7, 10), *banks, 20.0),
                                  valuation("SBIN", date(2024, 7, 3), *banks, 10.0),  # weekly: 7 days old
                                  valuation("SBIN", date(2024, 5, 31), *banks, 90.0),  # older than 31 days
                                  valuation("TCS", date(2024, 7, 10), *it, -10.0)])
        upsert(conn, NSE_BHAVCOPY, [*bars("HDFCBANK", BANK_RETURNS), *bars("SBIN", BANK_RETURNS),
                                    *bars("TCS", [0.005] * 5)])
        conn.commit()
    failed = dbt_build(fresh_db, ["+fct_opportunity_scores"], tmp_path / "dbt", full_refresh=True)
    assert [f for f in failed if "opportunit" in f[0]] == []
    with psycopg.connect(fresh_db.url) as conn:
        cur = conn.execute("select scope, companies, valuation_upside, driver_momentum, macro_tailwind, volatility, "
                           "opportunity_score, score_rank, is_priority from marts.fct_opportunity_scores "
                           "where score_date = '2024-07-10' order by scope_level, scope")
        got = {r[0]: r[1:] for r in cur.fetchall()}

    # Banks: upside (20% + 10%) / 2 = 0.15 (SBIN's 7-day-old value counts, its May value is too old).
    # Group momentum (0.25 x 1 x UP + 0.20 x -1 x UP) / 0.45 = 1/9; the subgroup adds loan_growth DOWN:
    # (0.25 - 0.20 - 0.15) / 0.60 = -1/6. Tailwind: the group's CPI signal (sign -1, DOWN) = +1; the subgroup
    # also has GVA (sign +1, DOWN) = -1: mean 0. Volatility: both banks return +-1%, so the scope does too.
    vol = stdev(BANK_RETURNS) * sqrt(252)
    assert got["FINANCIALS"][:5] == pytest.approx((2, 0.15, 1 / 9, 1.0, vol))
    assert got["FINANCIALS"][5] == pytest.approx(0.15 * (1 + 1 / 9) * (1 + 1) / vol)
    assert got["FINANCIALS_BANKS"][:5] == pytest.approx((2, 0.15, -1 / 6, 0.0, vol))
    assert got["FINANCIALS_BANKS"][5] == pytest.approx(0.15 * (1 - 1 / 6) / vol)
    # TCS: -10% upside, STABLE drivers (momentum 0), no signals, a constant +0.5% return: SD 0, floored at 5%.
    for scope in ("TECHNOLOGY", "TECHNOLOGY_IT_SERVICES"):
        assert got[scope][:5] == pytest.approx((1, -0.10, 0.0, 0.0, 0.0), abs=1e-12)
        assert got[scope][5] == pytest.approx(-0.10 / 0.05)
    # Ranks per level; a negative score is never a priority.
    assert [got[s][6:] for s in ("FINANCIALS", "TECHNOLOGY", "FINANCIALS_BANKS", "TECHNOLOGY_IT_SERVICES")] == \
        [(1, True), (2, False), (1, True), (2, False)]

    # The Sunday review reads the ranking: the two priority scopes, in level then rank order; the marts this
    # targeted build did not make are named, their sections empty.
    from valuation_platform.pipelines.valuation.weekly_review import weekly_review
    from valuation_platform.warehouse.tables.valuation import INDIA_WEEKLY_REVIEWS

    with connect(fresh_db) as conn:
        ensure_tables(conn, [INDIA_WEEKLY_REVIEWS])
        report = weekly_review(conn, date(2024, 7, 14))
        again = weekly_review(conn, date(2024, 7, 14))  # idempotent
        stored = conn.execute("select section, position, subject, value from analytics.india_weekly_reviews "
                              "order by section, position").fetchall()
    assert stored == [("opportunities", 1, "GROUP FINANCIALS", pytest.approx(got["FINANCIALS"][5])),
                      ("opportunities", 2, "SUBGROUP FINANCIALS_BANKS", pytest.approx(got["FINANCIALS_BANKS"][5]))]
    assert report["opportunities_count"] == again["opportunities_count"] == 2
    assert report["week"] == "2024-07-08 to 2024-07-14"
    assert set(report["marts_not_built"].split(", ")) == {
        "fct_driver_trend_signals", "fct_driver_trajectories", "fct_valuation_alerts", "fct_materiality_alerts"}
    assert "GROUP FINANCIALS" in report["summary"] and "### Valuation alerts\nnone" in report["summary"]
