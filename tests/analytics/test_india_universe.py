"""India universe selection: rejections with reasons, ranking, floors/caps balancing, frequency tiers."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from valuation_platform.pipelines.india.reference import read_reference_tables
from valuation_platform.analytics.india.universe import (
    VALUATION_GROUPS,
    SelectionPolicy,
    build_mapping_index,
    map_sector,
    rank_score,
    select_india_universe,
)
from valuation_platform.generator.india import classification_csv, india_companies
from valuation_platform.sources.india.classification import parse_classification

MAPPING = [
    {"cd_sector": "Fin", "cd_industry": "Bank", "valuation_group": "A", "valuation_subgroup": "A1"},
    {"cd_sector": "Fin", "cd_industry": "NBFC", "valuation_group": "A", "valuation_subgroup": "A2"},
    {"cd_sector": "Tech", "cd_industry": "*", "valuation_group": "B", "valuation_subgroup": "B1"},
    {"cd_sector": "Chem", "cd_industry": "Chem", "valuation_group": "C", "valuation_subgroup": "C1"},
]


def company(symbol, sector, industry, mcap, *, accord=None, dq=1.0, investable=True, name=None):
    return {
        "nse_symbol": symbol,
        "bse_code": None,
        "accord_code": accord,
        "name": name or f"{symbol or accord} Ltd",
        "cd_sector": sector,
        "cd_industry": industry,
        "market_cap": mcap,
        "is_investable": investable,
        "dq_score": dq,
    }


def test_mapping_exact_then_wildcard():
    index = build_mapping_index(MAPPING)
    assert map_sector(index, " fin ", "BANK") == ("A", "A1")
    assert map_sector(index, "Tech", "IT - Software") == ("B", "B1")
    assert map_sector(index, "Fin", "Insurance") is None
    with pytest.raises(ValueError, match="conflict"):
        build_mapping_index(
            MAPPING
            + [
                {
                    "cd_sector": "Fin",
                    "cd_industry": "Bank",
                    "valuation_group": "B",
                    "valuation_subgroup": "B1",
                }
            ]
        )


def test_rejections_with_reasons():
    rows = [
        company("BIG", "Fin", "Bank", 5000),
        company(None, "Fin", "Bank", 4000, accord="77"),  # BSE-only, matched by Accord code
        company(None, "Fin", "Bank", 3000),  # no identifier
        company("MISC", "Miscellaneous", "Miscellaneous", 2000),  # no mapping
        company("NOCAP", "Tech", "Software", None),
        company("BIG", "Fin", "NBFC", 100, name="Big (Old) Ltd"),  # duplicate symbol, smaller
        company("SMALL", "Fin", "NBFC", 50, investable=False),  # not a candidate at all
    ]
    result = select_india_universe(rows, MAPPING, target=10)
    assert [r["nse_symbol"] or r["accord_code"] for r in result.selected] == ["BIG", "77"]
    assert {(r["name"], r["reason"]) for r in result.rejected} == {
        ("None Ltd", "no_identifier"),
        ("MISC Ltd", "no_sector_mapping"),
        ("NOCAP Ltd", "no_market_cap"),
        ("Big (Old) Ltd", "duplicate_identifier"),
    }
    assert result.stats["companies_total"] == 7 and result.stats["investable"] == 6
    assert result.stats["rejected_by_reason"] == {
        "no_identifier": 1,
        "no_sector_mapping": 1,
        "no_market_cap": 1,
        "duplicate_identifier": 1,
    }


def test_rank_score_uses_data_quality():
    assert rank_score(1000, 1.0) == 1000 and rank_score(1000, 0.0) == 500 and rank_score(1000, 0.5) == 750
    rows = [company("CLEAN", "Fin", "Bank", 900, dq=1.0), company("GAPPY", "Fin", "Bank", 1000, dq=0.0)]
    result = select_india_universe(rows, MAPPING, target=2)
    assert [r["nse_symbol"] for r in result.selected] == ["CLEAN", "GAPPY"]
    assert [r["selection_rank"] for r in result.selected] == [1, 2]


def test_floors_and_caps():
    rows = [company(f"A{i:02d}", "Fin", "Bank", 10_000 - i) for i in range(50)]
    rows += [company(f"B{i}", "Tech", "Software", 10 - i) for i in range(5)]
    rows += [company(f"C{i:02d}", "Chem", "Chem", 5_000 - i) for i in range(20)]
    policy = SelectionPolicy(target=20, min_group_share=0.10, max_group_share=0.50)
    result = select_india_universe(rows, MAPPING, policy=policy)
    counts = Counter(r["valuation_group"] for r in result.selected)
    # floor 2 lets the two best of the tiny group B in; A stops at its cap of 10; C takes the rest.
    assert counts == {"A": 10, "B": 2, "C": 8}
    assert {r["nse_symbol"] for r in result.selected if r["valuation_group"] == "B"} == {"B0", "B1"}
    assert {r["nse_symbol"] for r in result.selected if r["valuation_group"] == "A"} == {
        f"A{i:02d}" for i in range(10)
    }
    assert (result.stats["group_floor"], result.stats["group_cap"]) == (2, 10)


def test_caps_yield_when_nothing_else_can_fill():
    rows = [company(f"A{i:02d}", "Fin", "Bank", 100 - i) for i in range(20)] + [company("B0", "Tech", "X", 1)]
    result = select_india_universe(
        rows, MAPPING, target=10, policy=SelectionPolicy(min_group_share=0.1, max_group_share=0.2)
    )
    assert len(result.selected) == 10
    assert Counter(r["valuation_group"] for r in result.selected) == {"A": 9, "B": 1}


def test_frequency_tiers_follow_market_cap_and_alpha_ids():
    rows = [company(f"S{i:02d}", "Fin", "Bank", 1000 - 10 * i) for i in range(10)]
    rows[3]["dq_score"] = 0.0  # ranks lower but is still the 4th largest
    policy = SelectionPolicy(target=10, daily_count=4, weekly_count=3)
    configs = [{"nse_symbol": "s03", "alpha_config_id": "ALPHA-S03"}]
    result = select_india_universe(rows, MAPPING, policy=policy, alpha_configs=configs)
    tiers = {r["nse_symbol"]: r["valuation_frequency"] for r in result.selected}
    assert [s for s, t in tiers.items() if t == "DAILY"] == ["S00", "S01", "S02", "S03"]
    assert sorted(s for s, t in tiers.items() if t == "WEEKLY") == ["S04", "S05", "S06"]
    assert Counter(tiers.values())["MONTHLY"] == 3
    by_symbol = {r["nse_symbol"]: r for r in result.selected}
    assert by_symbol["S03"]["selection_rank"] == 10 and by_symbol["S03"]["alpha_config_id"] == "ALPHA-S03"
    assert by_symbol["S00"]["alpha_config_id"] is None


def test_generated_gem_file_selects_a_balanced_thousand():
    reference = read_reference_tables()
    parsed = parse_classification(
        classification_csv(india_companies(), as_of=date(2025, 3, 31)), document="gem.csv"
    )
    result = select_india_universe(
        parsed, reference.sector_group_mapping, target=1000, alpha_configs=reference.company_alpha_configs
    )
    stats = result.stats
    assert (stats["companies_total"], stats["investable"], stats["selected"]) == (8054, 2160, 1000)
    assert set(stats["selected_by_group"]) == set(VALUATION_GROUPS)
    for group, n in stats["selected_by_group"].items():
        assert min(stats["group_floor"], stats["eligible_by_group"][group]) <= n <= stats["group_cap"]
    assert stats["selected_by_frequency"] == {"DAILY": 100, "WEEKLY": 350, "MONTHLY": 550}
    assert stats["rejected_by_reason"]["no_identifier"] == 12
    assert stats["rejected_by_reason"]["no_sector_mapping"] > 50
    assert stats["rejected_by_reason"]["duplicate_identifier"] == 1
    assert all(
        r["cd_sector"] == "Miscellaneous"
        for r in result.rejected
        if r["reason"] == "no_sector_mapping"
    )
    assert stats["subgroups_selected"] >= 50
    with_alpha = {r["nse_symbol"]: r["alpha_config_id"] for r in result.selected if r["alpha_config_id"]}
    assert with_alpha["RELIANCE"] == "ALPHA-RELIANCE-01" and len(with_alpha) == 7
    assert (
        result.selected[0]["nse_symbol"] == "RELIANCE"
        and result.selected[0]["valuation_frequency"] == "DAILY"
    )
