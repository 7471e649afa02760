"""PLFS parser: quarterly and monthly bulletins, series naming, generated data, bad input."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from valuation_platform.generator.india import india_macro, plfs_records
from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.mospi.plfs import parse_plfs

CSV = b"""Frequency,Year,Period,State,Sector,Gender,Age Group,Weekly Status,Indicator,Value,Release Date
Quarterly,2024,Apr-Jun,All India,Urban,Person,15 years and above,CWS,Unemployment Rate (UR),6.6,2024-08-16
Quarterly,2024,Q3,All India,Urban,Female,15 years and above,CWS,Labour Force Participation Rate (LFPR),25.5,2024-11-18
Monthly,2025,May,All India,Rural+Urban,Person,15 years and above,CWS,Worker Population Ratio (WPR),51.7,2025-06-16
Monthly,2025,May,Kerala,Urban,Male,15-29 years,UPSS,Unemployment Rate (UR),12.1,2025-06-16
"""


def test_rows():
    rows = parse_plfs(CSV, document="plfs.csv")
    assert [(r["series_id"], r["ref_period"], r["value"], r["frequency"]) for r in rows] == [
        ("plfs_quarterly_ur_urban_person", date(2024, 4, 1), 6.6, "Q"),
        ("plfs_quarterly_lfpr_urban_female", date(2024, 7, 1), 25.5, "Q"),
        ("plfs_monthly_wpr_combined_person", date(2025, 5, 1), 51.7, "M"),
        ("plfs_kerala_monthly_ur_urban_male_15_29_years_upss", date(2025, 5, 1), 12.1, "M"),
    ]
    assert [r["sector"] for r in rows] == ["Urban", "Urban", "Combined", "Urban"]
    assert rows[0]["released_at"] == datetime(2024, 8, 16, tzinfo=UTC)
    assert {r["unit"] for r in rows} == {"percent"}


def test_generated_ratios_are_consistent():
    macro = india_macro(months=30, seed=2)
    rows = parse_plfs(json.dumps({"data": plfs_records(macro)}).encode(), document="api")
    values = {(r["series_id"], r["ref_period"]): r["value"] for r in rows}
    quarters = sorted(p for s, p in values if s == "plfs_quarterly_ur_urban_person")
    assert len(quarters) >= 9 and all(p.month in (1, 4, 7, 10) for p in quarters)
    for q in quarters:
        ur, lfpr = (
            values[("plfs_quarterly_ur_urban_person", q)],
            values[("plfs_quarterly_lfpr_urban_person", q)],
        )
        assert 5.0 < ur < 9.0 and 45.0 < lfpr < 53.0
        assert abs(values[("plfs_quarterly_wpr_urban_person", q)] - lfpr * (1 - ur / 100)) < 0.06
    assert (
        values[("plfs_quarterly_ur_urban_person", quarters[-1])]
        < values[("plfs_quarterly_ur_urban_person", quarters[0])]
    )


@pytest.mark.parametrize(
    ("line", "field"),
    [
        (
            "Weekly,2024,May,All India,Urban,Person,,,Unemployment Rate (UR),6.6,2024-06-16",
            "record 0 frequency",
        ),
        (
            "Quarterly,2024,Feb-Apr,All India,Urban,Person,,,Unemployment Rate (UR),6.6,2024-06-16",
            "record 0 period",
        ),
        (
            "Monthly,2024,May,All India,Urban,Person,,,Employment Elasticity,6.6,2024-06-16",
            "record 0 indicator",
        ),
        ("Monthly,2024,May,All India,Urban,Other,,,Unemployment Rate (UR),6.6,2024-06-16", "record 0 gender"),
    ],
)
def test_bad_records(line, field):
    header = (
        "Frequency,Year,Period,State,Sector,Gender,Age Group,Weekly Status,Indicator,Value,Release Date\n"
    )
    with pytest.raises(SourceError) as err:
        parse_plfs((header + line + "\n").encode(), document="plfs.csv")
    assert err.value.field == field
