"""The valuation marts built by dbt over a real valuation run (real RELIANCE / HDFC Bank exports): contracts,
the attribution sum test, and the >5% alert naming the driver input that moved the value."""

import shutil
from datetime import UTC, date, datetime

import psycopg
import pytest

from tests.pipelines.test_valuation_day import bhav, macro, universe_row
from tests.support.dbt_build import dbt_build
from valuation_platform.pipelines.valuation.inputs import load_bhavcopy, load_statements
from valuation_platform.pipelines.valuation.valuations import value_days
from valuation_platform.warehouse.bootstrap import ensure_tables
from valuation_platform.warehouse.connection import connect
from valuation_platform.warehouse.tables.india import INDIA_DRIVERS, INDIA_UNIVERSE
from valuation_platform.warehouse.tables.valuation import ANALYTICS_TABLES, RAW_TABLES
from valuation_platform.warehouse.upsert import upsert

NOW = datetime(2024, 7, 9, 15, 0, tzinfo=UTC)
MARTS = ["+fct_valuations", "+fct_valuation_attribution", "+fct_valuation_driver_effects", "+fct_valuation_alerts"]


def test_marts_and_alerts(fresh_db, shared_fixtures, tmp_path):
    landing = tmp_path / "landing"
    (landing / "statements").mkdir(parents=True)
    (landing / "bhavcopy").mkdir()
    shutil.copy(shared_fixtures / "screener" / "Reliance_Data.xlsx", landing / "statements" / "RELIANCE.xlsx")
    shutil.copy(shared_fixtures / "screener" / "screener_HDFC_Bank.xlsx", landing / "statements" / "HDFCBANK.xlsx")
    for day in ("20240708", "20240709"):
        iso = f"{day[:4]}-{day[4:6]}-{day[6:]}"
        (landing / "bhavcopy" / f"BhavCopy_NSE_CM_0_0_0_{day}_F_0000.csv").write_text(
            bhav(iso, {"RELIANCE": 3176.35, "HDFCBANK": 1700.0}))
    with connect(fresh_db) as conn:
        ensure_tables(conn, [*RAW_TABLES, *ANALYTICS_TABLES, INDIA_UNIVERSE, INDIA_DRIVERS])
        load_statements(conn, landing, fetched_at=NOW)
        load_bhavcopy(conn, landing, fetched_at=NOW)
        upsert(conn, INDIA_UNIVERSE, [universe_row("RELIANCE", "ENERGY_UTILITIES", "ENERGY_DOWNSTREAM"),
                                      universe_row("HDFCBANK", "FINANCIALS", "FINANCIALS_BANKS")])
        upsert(conn, INDIA_DRIVERS, [macro("interest_rate_10y", 7.0, 6.4, 6.8, 7.4),
                                     macro("gdp_growth", 6.5, 8.0, 6.5, 5.0)])
        value_days(conn, [date(2024, 7, 8)])
        # A 75bp jump in the 10-year yield: the only thing that moves (same closes).
        upsert(conn, INDIA_DRIVERS, [macro("interest_rate_10y", 7.75, 6.4, 6.8, 7.4)])
        value_days(conn, [date(2024, 7, 9)])
        conn.commit()
        stored = dict(conn.execute("select nse_symbol || valuation_date, intrinsic_value_per_share "
                                   "from analytics.valuations where scenario = 'base'").fetchall())
    assert dbt_build(fresh_db, MARTS, tmp_path / "dbt", full_refresh=True) == []
    with psycopg.connect(fresh_db.url) as conn:
        mart = dict(conn.execute("select nse_symbol || valuation_date, intrinsic_value_per_share "
                                 "from marts.fct_valuations where scenario = 'base'").fetchall())
        bank = conn.execute("select roe, wacc, ebit_margin, discount_rate, cost_of_equity from marts.fct_valuations "
                            "where nse_symbol = 'HDFCBANK' and scenario = 'base' and valuation_date = '2024-07-08'"
                            ).fetchone()
        alerts = conn.execute("select nse_symbol, previous_valuation_date, change_pct, direction, main_factor, "
                              "main_factor_contribution, intrinsic_value_per_share - previous_intrinsic_value_per_share, "
                              "main_driver, main_driver_contribution "
                              "from marts.fct_valuation_alerts order by nse_symbol").fetchall()
        yields = conn.execute("select distinct valuation_date, driver_level, input, effect "
                              "from marts.fct_valuation_driver_effects where input = 'risk_free' order by valuation_date").fetchall()
    assert mart == stored and len(mart) == 4
    assert bank[0] == pytest.approx(148111.90 / 746573.85) and bank[1] is None and bank[2] is None
    assert bank[3] == bank[4] == pytest.approx(0.14)
    assert [a[0] for a in alerts] == ["HDFCBANK", "RELIANCE"]
    for symbol, previous, change, direction, factor, contribution, move, driver, driver_contribution in alerts:
        assert previous == date(2024, 7, 8) and change < -5 and direction == "DOWN"
        assert factor == "discount_rate" and contribution == pytest.approx(move)  # the whole move
        assert driver == "MACRO|interest_rate_10y" and driver_contribution == pytest.approx(move)  # by driver too
    # The lineage mart: the yield's effect on every company is its level, 7.00% then 7.75%.
    assert yields == [(date(2024, 7, 8), "MACRO", "risk_free", 0.07), (date(2024, 7, 9), "MACRO", "risk_free", 0.0775)]
