"""The workbook's pure rules: which cells changed, whether an edit is valid, the approval bounds, the
adjustments laid over the hierarchy. Oracles: openpyxl's column letters (a peer library) and hierarchies
small enough to add up by hand in the comments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from openpyxl.utils import get_column_letter

from valuation_platform.analytics.india.driver_hierarchy import (
    apply_adjustments, apply_discoveries, approval_violation,
)
from valuation_platform.analytics.workbook.edits import (
    cell_budget, cell_text, column_letter, diff_edits, validate_driver_edits,
)
from valuation_platform.analytics.workbook.posts import MAX_CHARS, valuation_alert_text

T = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def driver(key: str, level: str, weight: float | None, *, group=None, subgroup=None, category="DEMAND",
           current=None, previous=None, series=None) -> dict:
    return {"driver_key": key, "driver_level": level, "valuation_group": group, "valuation_subgroup": subgroup,
            "company": None, "driver_category": category, "weight": weight, "current_value": current,
            "previous_value": previous, "direction": None, "series_id": series, "updated_by": "macro_sync"}


# SUBGROUP S of group G: three drivers 0.30 + 0.30 + 0.25 = 0.85; MACRO: 0.60 + 0.40 = 1.00
HIERARCHY = {
    "MACRO|a": driver("MACRO|a", "MACRO", 0.60), "MACRO|b": driver("MACRO|b", "MACRO", 0.40),
    "SUBGROUP|G|S|x": driver("SUBGROUP|G|S|x", "SUBGROUP", 0.30, group="G", subgroup="S"),
    "SUBGROUP|G|S|y": driver("SUBGROUP|G|S|y", "SUBGROUP", 0.30, group="G", subgroup="S"),
    "SUBGROUP|G|S|z": driver("SUBGROUP|G|S|z", "SUBGROUP", 0.25, group="G", subgroup="S"),
}


def edits(changes: dict[tuple[str, str], object], written: dict[tuple[str, str], object] | None = None):
    """Diff a tab whose cells were written from HIERARCHY and then edited."""
    header = ["driver_key", "weight", "direction", "Status"]
    rows = [[k, d["weight"], d["direction"], ""] for k, d in HIERARCHY.items()]
    base = {(k, c): cell_text(v) for k, d in HIERARCHY.items() for c, v in (("weight", d["weight"]),
                                                                             ("direction", d["direction"]))}
    for (key, column), value in changes.items():
        rows[list(HIERARCHY).index(key)][header.index(column)] = value
    return diff_edits("T", [header, *rows], "driver_key", ("weight", "direction"), written or base)


def test_column_letters_match_openpyxl() -> None:
    for index in (0, 1, 25, 26, 27, 51, 52, 701, 702, 16383):
        assert column_letter(index) == get_column_letter(index + 1)


def test_a_number_read_back_as_text_is_not_an_edit() -> None:
    assert cell_text(0.25) == cell_text("0.25") == cell_text(" 0.250 ") and cell_text(None) == cell_text("")
    assert edits({("SUBGROUP|G|S|x", "weight"): "0.30"}) == []


def test_moving_macro_weight_in_one_batch_passes_a_lone_move_does_not() -> None:
    # a: 0.60 -> 0.55 and b: 0.40 -> 0.45 keep 1.00; a alone -> 0.55 + 0.40 = 0.95
    both = validate_driver_edits(edits({("MACRO|a", "weight"): 0.55, ("MACRO|b", "weight"): 0.45}), HIERARCHY)
    assert [(v.ok, v.value_number) for v in both] == [(True, 0.55), (True, 0.45)]
    (alone,) = validate_driver_edits(edits({("MACRO|a", "weight"): 0.55}), HIERARCHY)
    assert not alone.ok and alone.reason == "MACRO MACRO weights would sum to 0.9500, expected 1"


def test_subgroup_total_bounds() -> None:
    # x: 0.30 -> 0.45 gives 0.45 + 0.30 + 0.25 = 1.00 (allowed); -> 0.46 gives 1.01 (above 1.00);
    # -> 0.10 gives 0.65 (below 0.80)
    for value, ok, reason in ((0.45, True, None),
                              (0.46, False, "SUBGROUP S weights would sum to 1.0100, expected 0.80..1.00"),
                              (0.10, False, "SUBGROUP S weights would sum to 0.6500, expected 0.80..1.00")):
        (verdict,) = validate_driver_edits(edits({("SUBGROUP|G|S|x", "weight"): value}), HIERARCHY)
        assert (verdict.ok, verdict.reason) == (ok, reason)


@pytest.mark.parametrize("column,value,reason", [
    ("weight", 3.5, "weight 3.5 is outside 0..1"),
    ("weight", -0.1, "weight -0.1 is outside 0..1"),
    ("weight", "heavy", "weight 'heavy' is not a number"),
    ("direction", "SIDEWAYS", "direction 'SIDEWAYS' is not one of UP, DOWN, STABLE"),
])
def test_bad_values_are_rejected_with_their_reason(column, value, reason) -> None:
    (verdict,) = validate_driver_edits(edits({("SUBGROUP|G|S|y", column): value}), HIERARCHY)
    assert (verdict.ok, verdict.reason) == (False, reason)


def test_direction_is_normalised() -> None:
    (verdict,) = validate_driver_edits(edits({("SUBGROUP|G|S|y", "direction"): " up "}), HIERARCHY)
    assert verdict.ok and verdict.value_text == "UP"


def test_approval_bounds() -> None:
    rows = list(HIERARCHY.values())
    new = {"discovery_id": "d", "driver_level": "SUBGROUP", "valuation_group": "G", "valuation_subgroup": "S",
           "driver_category": "COST", "driver_name": "w", "suggested_weight": 0.15}
    assert approval_violation(rows, new) is None  # 0.85 + 0.15 = 1.00
    assert approval_violation(rows, {**new, "suggested_weight": 0.2}) == (
        "SUBGROUP S weights would sum to 1.0500 (now 0.8500 + 0.2000), above the validator's 1.00")
    assert approval_violation(rows, {**new, "driver_name": "x"}) == "driver SUBGROUP|G|S|x already exists"
    assert approval_violation(rows, {**new, "driver_level": "MACRO"}).startswith("driver level 'MACRO' cannot")
    assert approval_violation(rows, {**new, "valuation_subgroup": "NOPE"}) == (
        "SUBGROUP NOPE has no weighted drivers in the hierarchy")
    # ten drivers of 0.09 (0.90): an eleventh of 0.05 fits the weight (0.95) but not the count
    ten = [driver(f"SUBGROUP|G|T|d{i}", "SUBGROUP", 0.09, group="G", subgroup="T") for i in range(10)]
    assert approval_violation(ten, {**new, "valuation_subgroup": "T", "suggested_weight": 0.05}) == (
        "SUBGROUP T would have 11 drivers, above 10")
    added, ids = apply_discoveries(rows, [{**new, "discovery_id": "d1"}], now=T)
    assert ids == ["d1"] and added[-1]["driver_key"] == "SUBGROUP|G|S|w" and added[-1]["updated_by"] == "agent_discovery"


def test_latest_adjustment_wins_and_a_newer_series_observation_ends_an_override() -> None:
    rows = [driver("SUBGROUP|G|S|x", "SUBGROUP", 0.30, group="G", subgroup="S", current=5.0, previous=4.0,
                   series="cpi")]
    adjustments = [
        {"driver_key": "SUBGROUP|G|S|x", "field": "weight", "value_number": 0.2, "value_text": None,
         "trigger": "AGENT_ANALYSIS", "requested_at": T, "status": "APPLIED"},
        {"driver_key": "SUBGROUP|G|S|x", "field": "weight", "value_number": 0.25, "value_text": None,
         "trigger": "PM_EDIT", "requested_at": T + timedelta(hours=1), "status": "APPLIED"},
        {"driver_key": "SUBGROUP|G|S|x", "field": "weight", "value_number": 0.9, "value_text": None,
         "trigger": "PM_EDIT", "requested_at": T + timedelta(hours=2), "status": "REJECTED"},
        {"driver_key": "SUBGROUP|G|S|x", "field": "current_value", "value_number": 3.0, "value_text": None,
         "trigger": "AGENT_ANALYSIS", "requested_at": T, "status": "APPLIED"},
        # APPLIED by a faulty writer, still refused by the build: no weight outside 0..1, no unknown direction
        {"driver_key": "SUBGROUP|G|S|x", "field": "weight", "value_number": 1.7, "value_text": None,
         "trigger": "AGENT_ANALYSIS", "requested_at": T + timedelta(hours=3), "status": "APPLIED"},
        {"driver_key": "SUBGROUP|G|S|x", "field": "direction", "value_number": None, "value_text": "SIDEWAYS",
         "trigger": "AGENT_ANALYSIS", "requested_at": T + timedelta(hours=3), "status": "APPLIED"},
    ]
    # the series published before the override: it holds; 3.0 vs previous 4.0 is -1.0, beyond the 0.05 band
    (held,) = apply_adjustments(rows, adjustments, {"cpi": T - timedelta(days=1)})
    assert (held["weight"], held["current_value"], held["direction"], held["updated_by"]) == (0.25, 3.0, "DOWN", "pm_edit")
    # a release after the override: the series' own value is current again; the weight edit stays
    (released,) = apply_adjustments(rows, adjustments, {"cpi": T + timedelta(days=1)})
    assert (released["weight"], released["current_value"], released["updated_by"]) == (0.25, 5.0, "pm_edit")


def test_cell_budget_counts_rows_times_columns() -> None:
    # 1000 x 26 + 24 x 20 = 26,000 + 480 = 26,480 of 10,000,000
    assert cell_budget({"Sheet1": (1000, 26), "Macro": (24, 20)}) == {
        "cells_used": 26_480, "cells_limit": 10_000_000, "cells_used_pct": 0.2648, "within_budget": True}
    assert cell_budget({"big": (400_000, 26)})["within_budget"] is False  # 10,400,000


def test_post_text_fits_one_post() -> None:
    text = valuation_alert_text({"nse_symbol": "TCS", "direction": "UP", "change_pct": 6.04,
                                 "intrinsic_value_per_share": 3604.4, "cmp": 3300.0, "upside_pct": 9.2,
                                 "main_factor": "discount_rate"})
    assert text == ("TCS: intrinsic value up 6.0% to Rs 3,604 per share (price Rs 3,300, upside +9.2%) "
                    "- main factor: discount rate. Not investment advice.")
    assert len(valuation_alert_text({"nse_symbol": "X" * 400, "direction": "DOWN", "change_pct": -7,
                                     "intrinsic_value_per_share": 1, "cmp": None})) == MAX_CHARS


def test_a_cell_holds_one_scalar():
    from datetime import date

    from valuation_platform.sources.gsheets.client import cell_value

    # an Event Log row's tagged companies (a Postgres text[]) and a missing value, as written to a cell
    assert cell_value(["RELIANCE", "TCS"]) == "RELIANCE, TCS" and cell_value([]) == ""
    assert cell_value([date(2026, 11, 20), None]) == "2026-11-20, " and cell_value(None) == ""
