"""The old system's taxonomy (issue #11), read back from the warehouse after a real `dbt build` of the India
seeds and their data tests, through the loader the drivers asset uses (pipelines.india.reference).

Oracle: the issue's own text, written out below by hand: the twelve active groups, the seventeen subgroups
with their named key drivers, and where each of their vendor industries must land.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import psycopg
import pytest

from tests.support.dbt_build import dbt_build
from valuation_platform.analytics.india.universe import VALUATION_GROUPS, build_mapping_index, map_sector
from valuation_platform.analytics.valuation.models import EXCESS_RETURN, FCFF, model_for
from valuation_platform.generator.india import classification_csv, india_companies
from valuation_platform.pipelines.india.reference import read_reference
from valuation_platform.sources.india.classification import parse_classification

# "Groups (12 active of 13): ..." in the order.
ACTIVE_GROUPS = {"REAL_ESTATE_INFRA", "INDUSTRIALS", "FINANCIALS", "AUTO", "MATERIALS_CHEMICALS",
                 "CONSUMER_DISCRETIONARY", "CONSUMER_STAPLES", "HEALTHCARE", "TECHNOLOGY",
                 "MATERIALS_METALS", "SERVICES", "ENERGY_UTILITIES"}
# "these seventeen must exist with their key drivers": subgroup -> (its group, the key drivers).
SEVENTEEN = {
    "SERVICES_TRADING": ("SERVICES",
                         {"commodity_volumes", "working_capital", "forex_volatility", "import_duties"}),
    "MATERIALS_PLASTICS": ("MATERIALS_CHEMICALS",
                           {"fmcg_packaging", "polymer_prices", "crude_oil_linkage", "single_use_ban"}),
    "INFRA_LOGISTICS": ("REAL_ESTATE_INFRA",
                        {"ecommerce_volumes", "fuel_costs", "gst_logistics", "multimodal_policy"}),
    "MATERIALS_PAPER": ("MATERIALS_CHEMICALS",
                        {"packaging_board", "wood_pulp_prices", "power_costs", "import_duties"}),
    "CONSUMER_JEWELLERY": ("CONSUMER_DISCRETIONARY",
                           {"gold_price_trend", "organized_share", "hallmarking", "import_duty_gold"}),
    "SERVICES_PROFESSIONAL": ("SERVICES", {"corporate_capex", "staffing_demand", "talent_costs"}),
    "SERVICES_BPO": ("SERVICES", {"outsourcing_trend", "employee_costs", "data_privacy"}),
    "CONSUMER_ALCOHOLIC_BEVERAGES": ("CONSUMER_STAPLES",
                                     {"premiumization", "volume_growth", "state_excise_policy"}),
    "MATERIALS_MINING": ("MATERIALS_METALS",
                         {"global_commodity_prices", "steel_production", "mining_leases"}),
    "INFRA_SHIPPING": ("REAL_ESTATE_INFRA", {"charter_rates", "bunker_fuel_costs", "imo_regulations"}),
    "SERVICES_EDUCATION": ("SERVICES", {"enrollment_growth", "edtech_adoption", "nep_2020"}),
    "ENERGY_INDUSTRIAL_GAS": ("ENERGY_UTILITIES",
                              {"industrial_production", "power_costs", "safety_standards"}),
    "CONSUMER_RETAIL_ONLINE": ("CONSUMER_DISCRETIONARY", {"gmv_growth", "cac", "ecommerce_policy"}),
    "INDUSTRIALS_ENVIRONMENTAL": ("INDUSTRIALS",
                                  {"municipal_waste", "pollution_control", "epr_compliance"}),
    "SERVICES_AVIATION": ("SERVICES", {"passenger_traffic", "atf_prices", "airport_charges"}),
    "FINANCIALS_EXCHANGES_DEPOSITORIES": ("FINANCIALS",
                                          {"trading_volumes", "ipo_pipeline", "sebi_regulations"}),
    "FINANCIALS_RATINGS": ("FINANCIALS", {"debt_issuances", "sebi_cra_norms"}),
}
# The vendor industry each of the seventeen takes (one per subgroup; the classification's own names).
INDUSTRY_OF = {
    ("Trading", "Trading"): "SERVICES_TRADING",
    ("Materials", "Plastic Products"): "MATERIALS_PLASTICS",
    ("Industrials", "Logistics"): "INFRA_LOGISTICS",
    ("Materials", "Paper & Paper Products"): "MATERIALS_PAPER",
    ("Consumer Discretionary", "Diamond & Jewellery"): "CONSUMER_JEWELLERY",
    ("Industrials", "Professional Services"): "SERVICES_PROFESSIONAL",
    ("Information Technology", "BPO/ITeS"): "SERVICES_BPO",
    ("Consumer Staples", "Breweries & Distilleries"): "CONSUMER_ALCOHOLIC_BEVERAGES",
    ("Materials", "Mining & Minerals"): "MATERIALS_MINING",
    ("Industrials", "Shipping"): "INFRA_SHIPPING",
    ("Consumer Discretionary", "Education"): "SERVICES_EDUCATION",
    ("Energy", "Industrial Gases & Fuels"): "ENERGY_INDUSTRIAL_GAS",
    ("Consumer Discretionary", "E-Commerce/App based Aggregator"): "CONSUMER_RETAIL_ONLINE",
    ("Industrials", "Environmental Services"): "INDUSTRIALS_ENVIRONMENTAL",
    ("Industrials", "Airlines"): "SERVICES_AVIATION",
    ("Financials", "Depository Services"): "FINANCIALS_EXCHANGES_DEPOSITORIES",
    ("Financials", "Ratings"): "FINANCIALS_RATINGS",
}
# The subgroup-name prefix: the group name's first word, except REAL_ESTATE_INFRA -> INFRA_ (the issue's).
PREFIX = {g: g.split("_")[0] + "_" for g in ACTIVE_GROUPS} | {"REAL_ESTATE_INFRA": "INFRA_"}


@pytest.fixture
def seeded(fresh_db, tmp_path):
    """The India seeds built by dbt (their data tests and the singular active-group test included)."""
    select = ["path:seeds/india", "india_subgroups_in_active_groups"]
    assert dbt_build(fresh_db, select, tmp_path / "dbt") == []
    with psycopg.connect(fresh_db.url) as conn:
        query = "select valuation_group, is_active from marts.india_valuation_groups"
        groups = dict(conn.execute(query).fetchall())
        return read_reference(conn), groups


def test_groups_subgroups_and_the_seventeen(seeded):
    reference, groups = seeded
    assert {g for g, active in groups.items() if active} == ACTIVE_GROUPS == set(VALUATION_GROUPS)
    assert [g for g, active in groups.items() if not active] == ["HOLDING_COMPANIES"]
    pairs = reference.subgroup_pairs()
    assert 50 <= len(pairs) <= 60
    assert sorted(s for g, s in pairs if not s.startswith(PREFIX[g])) == []

    drivers = defaultdict(list)
    for r in reference.subgroup_drivers:
        drivers[r["valuation_subgroup"]].append(r)
    for subgroup, (group, key_drivers) in SEVENTEEN.items():
        assert (group, subgroup) in pairs, subgroup
        rows = drivers[subgroup]
        assert 7 <= len(rows) <= 10, subgroup
        assert {r["driver_category"] for r in rows} <= {"DEMAND", "COST", "REGULATORY"}, subgroup
        assert 0.80 - 1e-9 <= sum(float(r["weight"]) for r in rows) <= 1.00 + 1e-9, subgroup
        assert key_drivers <= {r["driver_name"] for r in rows}, (subgroup, key_drivers)
        for r in rows:  # a curated row carries a unit and both values; a series row reads its series
            assert r["unit"] and len(r["description"]) >= 60, (subgroup, r["driver_name"])
            assert r["series_id"] or (r["current_value"] and r["previous_value"]), r["driver_name"]


def test_every_classification_industry_lands_in_an_active_group(seeded):
    reference, groups = seeded
    index = build_mapping_index(reference.sector_group_mapping)
    # The classification file the generator writes (the real workbook's columns), parsed as production does.
    payload = classification_csv(india_companies(), as_of=date(2025, 3, 31))
    parsed = parse_classification(payload, document="gem.csv")
    industries = {(r["cd_sector"], r["cd_industry"]) for r in parsed}
    assert industries >= set(INDUSTRY_OF)  # the generated file carries every industry of the seventeen
    unmapped = set()
    for sector, industry in industries:
        mapped = map_sector(index, sector, industry)
        if mapped is None:
            unmapped.add((sector, industry))
            continue
        assert groups[mapped[0]] is True, (sector, industry, mapped)
        if (sector, industry) in INDUSTRY_OF:
            assert mapped == (SEVENTEEN[INDUSTRY_OF[sector, industry]][0], INDUSTRY_OF[sector, industry])
    # only Miscellaneous, which the universe rejects with a reason (Trading is SERVICES_TRADING now)
    assert unmapped == {("Miscellaneous", "Miscellaneous"), ("Miscellaneous", "Unclassified")}
    # the financial group is valued on excess returns, every other active group on FCFF
    expected = {g: EXCESS_RETURN if g == "FINANCIALS" else FCFF for g in ACTIVE_GROUPS}
    assert {g: model_for(g) for g in ACTIVE_GROUPS} == expected
