"""The rule-based analyzer and the bounds, on worked examples written out by hand (the arithmetic in the
comments), and the schema's validators on answers an LLM could give."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from valuation_platform.analytics.intelligence.bounds import Bounds, decide
from valuation_platform.analytics.intelligence.rules import Event, analyze, direction_of, stated_size
from valuation_platform.analytics.intelligence.schema import DriverImpact, EventAnalysis

REPO_MACRO = {"driver_key": "MACRO|repo_rate", "driver_level": "MACRO", "driver_name": "repo_rate",
              "series_id": "rbi_repo_rate", "unit": "percent", "current_value": 5.5}
REPO_GROUP = {"driver_key": "GROUP|FINANCIALS|policy_repo_rate", "driver_level": "GROUP",
              "valuation_group": "FINANCIALS", "driver_name": "policy_repo_rate", "series_id": "rbi_repo_rate",
              "unit": "percent", "current_value": None}
FNO = {"driver_key": "SUBGROUP|FINANCIALS|FINANCIALS_CAPITAL_MARKETS|sebi_fno_curbs", "driver_level": "SUBGROUP",
       "valuation_group": "FINANCIALS", "valuation_subgroup": "FINANCIALS_CAPITAL_MARKETS",
       "driver_name": "sebi_fno_curbs", "series_id": None, "unit": "score", "current_value": 0.7}
CREDIT = {"driver_key": "GROUP|FINANCIALS|system_credit_growth", "driver_level": "GROUP",
          "valuation_group": "FINANCIALS", "driver_name": "system_credit_growth", "series_id": None,
          "unit": "percent", "current_value": 11.5}


def impact(key: str, direction: str, magnitude: float, confidence: float = 0.9) -> DriverImpact:
    return DriverImpact(driver_key=key, direction=direction, magnitude=magnitude, confidence=confidence,
                        rationale="test")


def test_stated_sizes() -> None:
    assert stated_size("cut by 25 basis points") == 0.25  # 25 bp / 100 = 0.25 points
    assert stated_size("raised 50 bps") == 0.5
    assert stated_size("reduced from 28 per cent to 18 per cent") == 10.0  # |18 - 28|
    assert stated_size("up 0.5 percentage points") == 0.5
    assert stated_size("a sharp cut") is None
    assert direction_of("decided to keep the policy repo rate unchanged") is None
    assert direction_of("the MPC decided to reduce the policy repo rate") == "DOWN"
    assert direction_of("SEBI tightens norms") == "UP"


def test_rbi_rate_cut_moves_repo_drivers_and_reads_dovish() -> None:
    event = Event("e1", "RBI reduces policy repo rate by 25 basis points to 5.25 per cent",
                  "The MPC decided to reduce the policy repo rate by 25 basis points to 5.25 per cent. "
                  "Inflation risks are evenly balanced.", "RBI")
    analysis = analyze(event, [REPO_MACRO, REPO_GROUP, FNO])
    moves = {(i.driver_key, i.direction, i.magnitude, i.confidence) for i in analysis.driver_impacts}
    # both repo drivers follow rbi_repo_rate; an official release stating the size: confidence 0.9
    assert moves == {("MACRO|repo_rate", "DOWN", 0.25, 0.9), ("GROUP|FINANCIALS|policy_repo_rate", "DOWN", 0.25, 0.9)}
    assert analysis.policy is not None and analysis.policy.stance == "DOVISH"
    assert analysis.policy.impacted_sectors == ["AUTO", "FINANCIALS", "REAL_ESTATE_INFRA"]
    assert analysis.risks == ["Inflation risks are evenly balanced."]


def test_news_of_the_same_cut_is_below_the_floor() -> None:
    event = Event("e2", "RBI cuts repo rate by 25 bps", "The central bank cut the repo rate by 25 basis points.",
                  "NEWS")
    analysis = analyze(event, [REPO_MACRO])
    assert [(i.direction, i.confidence) for i in analysis.driver_impacts] == [("DOWN", 0.55)]
    assert analysis.policy is None
    assert decide(analysis.driver_impacts[0], REPO_MACRO, Bounds()).rejection_reason == \
        "confidence 0.55 is below the floor 0.70"


def test_suggestion_skips_a_driver_the_scope_already_has() -> None:
    event = Event("e3", "Draft directions on gold loans", "Harmonised loan-to-value limits for gold loans.", "RBI")
    [suggestion] = analyze(event, [REPO_MACRO]).suggested_drivers
    assert (suggestion.level, suggestion.valuation_subgroup, suggestion.name, suggestion.confidence) == (
        "SUBGROUP", "FINANCIALS_NBFC", "gold_loan_ltv_norms", 0.8)
    existing = {"driver_key": "SUBGROUP|FINANCIALS|FINANCIALS_NBFC|gold_loan_ltv_norms", "driver_level": "SUBGROUP",
                "valuation_group": "FINANCIALS", "valuation_subgroup": "FINANCIALS_NBFC",
                "driver_name": "gold_loan_ltv_norms", "unit": "score", "current_value": 0.5}
    assert analyze(event, [existing]).suggested_drivers == []


def test_bounds_worked_examples() -> None:
    bounds = Bounds(max_relative=0.10, max_points=0.25, min_confidence=0.70)
    # percent driver at 11.5: DOWN 0.25 points is at the bound -> 11.5 - 0.25 = 11.25
    ok = decide(impact(CREDIT["driver_key"], "DOWN", 0.25), CREDIT, bounds)
    assert (ok.field, ok.value_number, ok.status) == ("current_value", 11.25, "APPLIED")
    # 0.30 points > 0.25: rejected, the proposed 11.8 kept for the record
    too_far = decide(impact(CREDIT["driver_key"], "UP", 0.30), CREDIT, bounds)
    assert too_far.status == "REJECTED" and too_far.value_number == pytest.approx(11.8)
    assert too_far.rejection_reason == "move of 0.3 points exceeds the bound of 0.25 points"
    # score driver at 0.7: 10% of 0.7 = 0.07; UP 0.05 -> 0.75 applied, UP 0.1 rejected
    assert decide(impact(FNO["driver_key"], "UP", 0.05), FNO, bounds).value_number == pytest.approx(0.75)
    assert decide(impact(FNO["driver_key"], "UP", 0.10), FNO, bounds).rejection_reason == \
        "move of 0.1 exceeds 10% of the current value 0.7 (0.07)"
    # a series driver takes the direction only
    series = decide(impact("MACRO|repo_rate", "DOWN", 0.25), REPO_MACRO, bounds)
    assert (series.field, series.value_text, series.value_number, series.status) == ("direction", "DOWN", None, "APPLIED")
    assert decide(impact("MACRO|nope", "UP", 0.1), None, bounds).rejection_reason == \
        "the driver hierarchy holds no driver with this key"


def test_schema_rejects_out_of_range_answers() -> None:
    good = {"summary": "s", "key_points": [], "risks": [], "suggested_drivers": [], "policy": None,
            "driver_impacts": [{"driver_key": "k", "direction": "UP", "magnitude": 0.1, "confidence": 0.8,
                                "rationale": "r"}]}
    EventAnalysis.model_validate(good)
    for field, value in (("confidence", 1.7), ("magnitude", -0.1), ("direction", "SIDEWAYS")):
        bad = {**good, "driver_impacts": [{**good["driver_impacts"][0], field: value}]}
        with pytest.raises(ValidationError):
            EventAnalysis.model_validate(bad)
    with pytest.raises(ValidationError):
        EventAnalysis.model_validate({**good, "unexpected": 1})
