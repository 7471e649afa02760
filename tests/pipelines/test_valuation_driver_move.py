"""Move one macro driver: exactly the companies whose driver chain reads it are revalued, and the attribution by
driver gives that macro driver the whole change.

Real parts: the real screener exports, the driver hierarchy built from the reviewed seed files
(`build_driver_hierarchy`), the valuation step on Postgres. The oracle for "dependent" is the seed files read
here with the csv module: a scope (group or subgroup) depends on the repo rate when one of its DEMAND or COST
drivers reads the RBI repo series with a weight.
"""

import csv
import shutil
from datetime import UTC, date, datetime

import pytest

from tests.pipelines.test_valuation_day import bhav, rows, universe_row
from valuation_platform.analytics.india.driver_hierarchy import build_driver_hierarchy
from valuation_platform.pipelines.india.reference import SEED_DIR, read_reference_tables
from valuation_platform.pipelines.valuation.inputs import load_bhavcopy, load_statements
from valuation_platform.pipelines.valuation.valuations import value_days
from valuation_platform.warehouse.bootstrap import ensure_tables
from valuation_platform.warehouse.connection import connect
from valuation_platform.warehouse.tables.india import INDIA_DRIVERS, INDIA_UNIVERSE
from valuation_platform.warehouse.tables.valuation import ANALYTICS_TABLES, RAW_TABLES
from valuation_platform.warehouse.upsert import upsert

REPO = "rbi_repo_rate"
# Four companies, two of them (by the seeds) exposed to the repo rate. DLF is valued on Reliance's statements
# (the file name gives the symbol): only its place in the taxonomy matters here.
COMPANIES = {
    "HDFCBANK": ("FINANCIALS", "FINANCIALS_BANKS", "screener_HDFC_Bank.xlsx"),
    "DLF": ("REAL_ESTATE_INFRA", "INFRA_REAL_ESTATE", "Reliance_Data.xlsx"),
    "RELIANCE": ("ENERGY_UTILITIES", "ENERGY_DOWNSTREAM", "Reliance_Data.xlsx"),
    "TCS": ("TECHNOLOGY", "TECHNOLOGY_IT_SERVICES", "screener_TCS.xlsx"),
}


def repo_scopes() -> set[str]:
    scopes = set()
    for name, scope in (("india_group_drivers.csv", "valuation_group"), ("india_subgroup_drivers.csv",
                                                                          "valuation_subgroup")):
        with open(SEED_DIR / name, newline="") as handle:
            scopes |= {r[scope] for r in csv.DictReader(handle) if r["series_id"] == REPO
                       and r["driver_category"] in ("DEMAND", "COST") and float(r["weight"]) > 0}
    return scopes


def prints(*values: tuple[str, float]) -> list[dict]:
    return [{"series_id": REPO, "ref_period": date.fromisoformat(d), "value": v,
             "released_at": datetime.fromisoformat(d).replace(hour=10, tzinfo=UTC)} for d, v in values]


def test_a_repo_cut_moves_exactly_the_dependent_companies(fresh_db, shared_fixtures, tmp_path):
    (tmp_path / "statements").mkdir()
    (tmp_path / "bhavcopy").mkdir()
    screener = shared_fixtures / "screener"
    for symbol, (_, _, file) in COMPANIES.items():
        shutil.copy(screener / file, tmp_path / "statements" / f"{symbol}.xlsx")
    closes = {"HDFCBANK": 1700.0, "DLF": 850.0, "RELIANCE": 3176.35, "TCS": 4200.0}
    # One session's prices: the next day's CMP is the same close, so only the drivers can move a value.
    (tmp_path / "bhavcopy" / "BhavCopy_NSE_CM_0_0_0_20240708_F_0000.csv").write_text(bhav("2024-07-08", closes))
    reference = read_reference_tables()
    universe = [{"nse_symbol": s, "accord_code": None, "valuation_group": g, "valuation_subgroup": sg,
                 "alpha_config_id": None} for s, (g, sg, _) in COMPANIES.items()]

    def drivers(macro_rows):
        return build_driver_hierarchy(reference, macro_rows, universe, now=datetime(2024, 7, 9, tzinfo=UTC))

    with connect(fresh_db) as conn:
        ensure_tables(conn, [*RAW_TABLES, *ANALYTICS_TABLES, INDIA_UNIVERSE, INDIA_DRIVERS])
        load_statements(conn, tmp_path, fetched_at=datetime(2024, 7, 9, tzinfo=UTC))
        load_bhavcopy(conn, tmp_path, fetched_at=datetime(2024, 7, 9, tzinfo=UTC))
        upsert(conn, INDIA_UNIVERSE, [universe_row(s, g, sg) for s, (g, sg, _) in COMPANIES.items()])
        # Day 1: the repo rate held at 6.50 (two prints, no move). Day 2: the RBI cuts to 6.25.
        upsert(conn, INDIA_DRIVERS, drivers(prints(("2024-04-05", 6.5), ("2024-06-07", 6.5))))
        value_days(conn, [date(2024, 7, 8)])
        upsert(conn, INDIA_DRIVERS, drivers(prints(("2024-04-05", 6.5), ("2024-06-07", 6.5), ("2024-07-08", 6.25))))
        value_days(conn, [date(2024, 7, 9)])
        values = {(r["nse_symbol"], r["valuation_date"]): r
                  for r in rows(conn, "select * from analytics.valuations where scenario = 'base'")}
        by_driver = rows(conn, "select * from analytics.valuation_attribution where basis = 'DRIVER' "
                               "and measure = 'intrinsic_value_per_share'")

    day1, day2 = date(2024, 7, 8), date(2024, 7, 9)
    dependent = {s for s, (g, sg, _) in COMPANIES.items() if g in repo_scopes() or sg in repo_scopes()}
    assert dependent == {"HDFCBANK", "DLF"}  # the seeds say so; RELIANCE and TCS read no repo series
    moved = {s for s in COMPANIES
             if values[(s, day2)]["intrinsic_value_per_share"] != values[(s, day1)]["intrinsic_value_per_share"]}
    assert moved == dependent

    # By hand. The move of a percent driver is the change / 10 points: (6.25 - 6.50) / 10 = -0.025.
    # HDFCBANK has its own (alpha config) drivers, so the chain's shares are group 0.25, subgroup 0.35; both repo
    # drivers are COST (sign -1) and a bank's COST drivers move ROE with elasticity 0.05:
    #   group policy_repo_rate 0.25 x 0.20 x -1 x -0.025 x 0.05 = 0.0000625
    #   subgroup policy_rate_transmission 0.35 x 0.08 x -1 x -0.025 x 0.05 = 0.0000350  -> ROE +0.0000975
    assert values[("HDFCBANK", day2)]["roe"] - values[("HDFCBANK", day1)]["roe"] == pytest.approx(0.0000975, abs=1e-15)
    # DLF (no alpha config: group 0.4, subgroup 0.6): INFRA_REAL_ESTATE home_loan_rates, DEMAND with sign -1 (a
    # rate rise hurts demand), weight 0.09, moves growth with elasticity 0.10:
    #   0.6 x 0.09 x -1 x -0.025 x 0.10 = 0.000135
    assert values[("DLF", day2)]["growth_start"] - values[("DLF", day1)]["growth_start"] \
        == pytest.approx(0.000135, abs=1e-15)
    assert values[("HDFCBANK", day2)]["intrinsic_value_per_share"] > values[("HDFCBANK", day1)]["intrinsic_value_per_share"]
    assert values[("DLF", day2)]["intrinsic_value_per_share"] > values[("DLF", day1)]["intrinsic_value_per_share"]

    for symbol in COMPANIES:
        mine = {r["factor"]: r for r in by_driver if r["nse_symbol"] == symbol}
        change = values[(symbol, day2)]["intrinsic_value_per_share"] - values[(symbol, day1)]["intrinsic_value_per_share"]
        if symbol in dependent:
            # The repo print is named (under the MACRO driver whose series it is) and carries the whole change.
            assert set(mine) == {"MACRO|repo_rate", "interaction"}
            assert mine["MACRO|repo_rate"]["contribution"] == pytest.approx(change, rel=1e-12)
            assert mine["interaction"]["contribution"] == pytest.approx(0.0, abs=1e-12 * abs(change))
        else:
            assert set(mine) == {"interaction"} and mine["interaction"]["contribution"] == 0.0
