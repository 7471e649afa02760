"""Driver hierarchy: curated reference invariants, YoY/direction maths, build from generated data, checks."""

from __future__ import annotations

import copy
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest

from valuation_platform.analytics.india.driver_hierarchy import (
    DRIVER_LEVELS,
    build_driver_hierarchy,
    direction,
    series_observations,
    transformed,
    validate_driver_hierarchy,
    yoy_at,
)
from valuation_platform.pipelines.india.reference import read_reference_tables
from valuation_platform.analytics.india.universe import VALUATION_GROUPS, select_india_universe
from valuation_platform.generator.india import (
    api_envelope,
    classification_csv,
    cpi_api_records,
    iip_api_records,
    india_companies,
    india_macro,
    market_files,
    nas_records,
    plfs_records,
    wpi_api_records,
)
from valuation_platform.sources.india.classification import parse_classification
from valuation_platform.sources.india.market import parse_market_csv
from valuation_platform.sources.mospi.client import parse_mospi_release

NOW = datetime(2025, 4, 30, 6, 0, tzinfo=UTC)
MACRO_NAMES = {
    "gdp_growth",
    "usd_inr",
    "interest_rate_10y",
    "repo_rate",
    "pmi_composite",
    "pmi_manufacturing",
    "pmi_services",
    "balance_of_trade",
    "fii_flows",
    "dii_flows",
    "cpi_headline",
    "cpi_food",
    "wpi_fuel_power",
    "wpi_manufactured",
    "wpi_primary_articles",
    "gva_manufacturing_real",
    "gva_construction_real",
    "gva_financial_real",
    "gva_agriculture_real",
    "unemployment_rate",
    "lfpr_total",
    "iip_manufacturing",
    "iip_general",
}


@pytest.fixture(scope="module")
def reference():
    return read_reference_tables()


@pytest.fixture(scope="module")
def macro_rows():
    macro = india_macro(months=36, seed=19)
    rows = []
    builders = {"cpi": cpi_api_records, "iip": iip_api_records, "wpi": wpi_api_records}
    for product, build in builders.items():
        for year in sorted({m.year for m in macro.months}):
            rows += parse_mospi_release(
                product, api_envelope(build(macro, year)), document=f"{product}{year}"
            )
    rows += parse_mospi_release("nas", api_envelope(nas_records(macro)), document="nas")
    rows += parse_mospi_release("plfs", api_envelope(plfs_records(macro)), document="plfs")
    for feed, payload in market_files(macro).items():
        rows += parse_market_csv(payload, document=feed, feed=feed)
    # The MACRO flow drivers read NSE's monthly FII/DII sums (dbt int_india__flow_releases over the trading
    # domain's flows mart); the generator's monthly net flows (same unit, Rs crore) stand in for them here.
    cash = {"fii_net_flows": "fii_cash_net_flows", "dii_net_flows": "dii_cash_net_flows"}
    rows += [{**r, "series_id": cash[r["series_id"]]} for r in rows if r["series_id"] in cash]
    return rows


@pytest.fixture(scope="module")
def universe(reference):
    companies = india_companies(1500, 700, seed=19)
    parsed = parse_classification(classification_csv(companies, as_of=date(2025, 3, 31)), document="gem.csv")
    return select_india_universe(
        parsed, reference.sector_group_mapping, target=400, alpha_configs=reference.company_alpha_configs
    ).selected


@pytest.fixture(scope="module")
def drivers(reference, macro_rows, universe):
    return build_driver_hierarchy(reference, macro_rows, universe, now=NOW)


# ---------------------------------------------------------------- curated tables
def test_macro_drivers_table(reference):
    rows = reference.macro_drivers
    assert len(rows) == 23 and {r["driver_name"] for r in rows} == MACRO_NAMES
    assert sum(float(r["weight"]) for r in rows) == pytest.approx(1.0, abs=1e-9)
    weights = {r["driver_name"]: float(r["weight"]) for r in rows}
    assert (weights["interest_rate_10y"], weights["repo_rate"]) == (0.12, 0.08)
    assert {r["tier"] for r in rows} == {
        "WACC_INPUT",
        "GROWTH",
        "INFLATION",
        "STRUCTURAL",
        "GVA",
        "LABOUR_INDUSTRIAL",
    }
    assert {r["driver_name"] for r in rows if r["tier"] == "WACC_INPUT"} == {"interest_rate_10y", "repo_rate"}
    for r in rows:
        assert r["series_id"] and r["transform"] in ("level", "yoy") and r["impact_description"]
        bull, base, bear = float(r["bull_value"]), float(r["base_value"]), float(r["bear_value"])
        assert min(bull, bear) <= base <= max(bull, bear)


def test_group_and_subgroup_tables(reference):
    subgroups = reference.subgroup_pairs()
    assert {g for g, _ in subgroups} == set(VALUATION_GROUPS) and 50 <= len(subgroups) <= 60
    group_weights = defaultdict(float)
    for r in reference.group_drivers:
        assert r["driver_category"] in ("DEMAND", "COST", "REGULATORY")
        group_weights[r["valuation_group"]] += float(r["weight"])
    assert set(group_weights) == set(VALUATION_GROUPS)
    assert all(0.80 - 1e-9 <= w <= 1.0 + 1e-9 for w in group_weights.values())
    sub_weights, sub_counts = defaultdict(float), Counter()
    for r in reference.subgroup_drivers:
        assert (r["valuation_group"], r["valuation_subgroup"]) in subgroups
        sub_weights[r["valuation_subgroup"]] += float(r["weight"])
        sub_counts[r["valuation_subgroup"]] += 1
    assert set(sub_counts) == {s for _, s in subgroups}
    assert all(7 <= n <= 10 for n in sub_counts.values())
    assert all(0.80 - 1e-9 <= w <= 1.0 + 1e-9 for w in sub_weights.values())
    mapped = {(r["valuation_group"], r["valuation_subgroup"]) for r in reference.sector_group_mapping}
    assert mapped == subgroups  # every subgroup can receive companies


def test_macro_metadata_signals(reference):
    rows = reference.macro_metadata
    series = {r["series_id"] for r in rows}
    assert 45 <= len(series) <= 55
    assert {s.split("_")[0] for s in series} == {"cpi", "iip", "wpi", "nas"}
    assert all(
        s.startswith("cpi_combined_") for s in series if s.startswith("cpi_")
    )  # deduplicated to Combined
    for r in rows:
        assert r["valuation_group"] in VALUATION_GROUPS and r["sensitivity"] in ("1", "-1")
        if r["valuation_subgroup"]:
            assert (r["valuation_group"], r["valuation_subgroup"]) in reference.subgroup_pairs()


# ---------------------------------------------------------------- maths
def test_yoy_monthly_quarterly_daily():
    monthly = [(date(2023, m, 1), 100.0 + m) for m in range(1, 13)] + [
        (date(2024, 1, 1), 105.05),
        (date(2024, 2, 1), 107.1),
    ]
    assert yoy_at(monthly, 12) == pytest.approx((105.05 / 101 - 1) * 100)
    assert yoy_at(monthly, 11) is None  # no December 2022
    current, previous, as_of = transformed(monthly, "yoy")
    assert (round(current, 4), round(previous, 4), as_of) == (5.0, 4.0099, date(2024, 2, 1))
    assert transformed(monthly, "level") == (107.1, 105.05, date(2024, 2, 1))
    gap = [(date(2023, 1, 1), 100.0), (date(2023, 3, 1), 101.0), (date(2024, 2, 1), 110.0)]
    assert yoy_at(gap, 2) is None  # February 2023 missing: no base, not January's
    daily = [(date(2023, 3, 17), 82.0), (date(2024, 3, 18), 83.64)]  # 18 Mar 2023 was a Saturday
    assert yoy_at(daily, 1) == pytest.approx(2.0)
    assert yoy_at([(date(2023, 3, 1), 82.0), (date(2024, 3, 18), 83.0)], 1) is None  # 17 days off
    with pytest.raises(ValueError):
        transformed(monthly, "qoq")


def test_direction_band():
    assert direction(5.10, 5.00) == "UP"  # 0.10 > 0.05
    assert direction(5.04, 5.00) == "STABLE"
    assert direction(85.30, 85.00) == "STABLE"  # inside 0.5% of 85 (0.425)
    assert direction(84.50, 85.00) == "DOWN"
    assert direction(-20.0, -22.0) == "UP"
    assert direction(None, 1.0) is None


def test_latest_release_wins():
    t0, t1 = datetime(2024, 2, 12, tzinfo=UTC), datetime(2024, 3, 12, tzinfo=UTC)
    rows = [
        {"series_id": "s", "ref_period": date(2024, 1, 1), "value": 1.0, "released_at": t1},
        {"series_id": "s", "ref_period": date(2024, 1, 1), "value": 9.0, "released_at": t0},
        {"series_id": "s", "ref_period": date(2024, 2, 1), "value": None, "released_at": t1},
    ]
    assert series_observations(rows) == {"s": [(date(2024, 1, 1), 1.0)]}


# ---------------------------------------------------------------- build + validate
def test_build_levels_and_values(drivers, macro_rows, universe):
    levels = Counter(r["driver_level"] for r in drivers)
    assert set(levels) == set(DRIVER_LEVELS) and levels["MACRO"] == 23
    by_key = {r["driver_key"]: r for r in drivers}
    assert len(by_key) == len(drivers)
    # cpi_headline is the YoY of the Combined general index, computed from the same rows by hand.
    general = sorted(
        (r["ref_period"], r["value"]) for r in macro_rows if r["series_id"] == "cpi_combined_general_index"
    )
    (last, v1), (prev_period, v0) = general[-1], general[-2]
    base = dict(general)
    headline = by_key["MACRO|cpi_headline"]
    assert headline["current_value"] == pytest.approx(
        (v1 / base[date(last.year - 1, last.month, 1)] - 1) * 100
    )
    assert headline["previous_value"] == pytest.approx(
        (v0 / base[date(prev_period.year - 1, prev_period.month, 1)] - 1) * 100
    )
    assert (
        headline["as_of"] == last and headline["unit"] == "percent" and headline["updated_by"] == "macro_sync"
    )
    repo = by_key["MACRO|repo_rate"]
    assert (repo["current_value"], repo["previous_value"], repo["direction"]) == (6.25, 6.5, "DOWN")
    assert repo["tier"] == "WACC_INPUT" and repo["weight"] == 0.08 and repo["bull_value"] == 5.75
    curated = by_key["GROUP|FINANCIALS|system_credit_growth"]
    assert (
        curated["current_value"],
        curated["previous_value"],
        curated["direction"],
        curated["updated_by"],
    ) == (11.5, 14.4, "DOWN", "pm_edit")
    signal = by_key["GROUP|HEALTHCARE|cpi_combined_health|signal"]
    assert (
        signal["driver_category"] == "MACRO_SIGNAL"
        and signal["weight"] is None
        and signal["sensitivity"] == 1
    )
    assert signal["current_value"] is not None
    company = [r for r in drivers if r["driver_level"] == "COMPANY" and r["company"] == "RELIANCE"]
    assert {r["alpha_config_id"] for r in company} == {"ALPHA-RELIANCE-01"} and len(company) == 4
    assert {r["valuation_group"] for r in company} == {"ENERGY_UTILITIES"}
    assert all(r["updated_at"] == NOW for r in drivers)


def test_generated_hierarchy_validates_clean(drivers, macro_rows, universe, reference):
    series_ids = {r["series_id"] for r in macro_rows}
    assert reference.referenced_series() <= series_ids
    result = validate_driver_hierarchy(drivers, universe, series_ids, subgroups=reference.subgroup_pairs())
    assert result.violations == [] and result.ok
    cov = result.coverage
    assert cov["drivers_per_level"]["MACRO"] == 23 and cov["drivers_per_level"]["GROUP"] == len(
        reference.group_drivers
    )
    assert cov["subgroups_covered"] == cov["subgroups_total"] == len(reference.subgroup_pairs())
    assert cov["companies_total"] == cov["companies_full_chain"] == len(universe)
    assert sum(cov["companies_per_group"].values()) == len(universe)
    assert cov["series_linked_with_value"] == cov["series_linked_drivers"]  # 36 months: every YoY exists


def test_validation_catches_broken_hierarchies(drivers, universe, macro_rows, reference):
    series_ids = {r["series_id"] for r in macro_rows} - {"wpi_coal"}
    broken = copy.deepcopy(drivers)
    by_key = {r["driver_key"]: r for r in broken}
    by_key["MACRO|gdp_growth"]["weight"] = 0.2  # macro total 1.10
    by_key["GROUP|TECHNOLOGY|attrition_rate"]["weight"] = 0.5  # group total 1.30
    broken = [r for r in broken if r["valuation_subgroup"] != "CONSUMER_TOBACCO" or r["driver_level"] != "SUBGROUP"]
    broken.append(dict(by_key["MACRO|repo_rate"]))  # duplicate
    orphan = dict(
        next(r for r in broken if r["driver_level"] == "COMPANY"),
        company="NOTLISTED",
        driver_key="COMPANY|X|Y|NOTLISTED|z",
    )
    broken.append(orphan)
    broken = [r for r in broken if not (r["driver_level"] == "COMPANY" and r["company"] == "TCS")]
    result = validate_driver_hierarchy(broken, universe, series_ids, subgroups=reference.subgroup_pairs())
    rules = Counter(v["rule"] for v in result.violations)
    assert rules["macro_weight_total"] == 1 and rules["group_weight_bounds"] == 1
    assert rules["duplicate_driver"] == 1 and rules["orphan_company_driver"] == 1
    assert rules["subgroup_not_covered"] == 1
    assert rules["unknown_series"] == sum(1 for r in broken if r["series_id"] == "wpi_coal")
    scopes = {v["scope"] for v in result.violations if v["rule"] == "broken_chain"}
    tobacco = {r["nse_symbol"] for r in universe if r["valuation_subgroup"] == "CONSUMER_TOBACCO"}
    assert scopes == tobacco | {"TCS"} and tobacco
    assert not result.ok and result.coverage["companies_full_chain"] == len(universe) - len(scopes)


def test_build_rejects_bad_arguments(reference):
    with pytest.raises(ValueError, match="timezone"):
        build_driver_hierarchy(reference, [], [], now=datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="updated_by"):
        build_driver_hierarchy(reference, [], [], now=NOW, updated_by="cron")
    rows = build_driver_hierarchy(
        reference, [], [], now=NOW - timedelta(hours=1), updated_by="trend_detection"
    )
    macro = [r for r in rows if r["driver_level"] == "MACRO"]
    assert all(r["current_value"] is None and r["direction"] is None for r in macro)
    assert {r["updated_by"] for r in macro} == {"trend_detection"}
