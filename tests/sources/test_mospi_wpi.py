"""WPI parser: the OEA-style wide CSV, API records, commodity naming and bad input."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from valuation_platform.generator.india import india_macro, wpi_api_records, wpi_wide_csv
from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.mospi.wpi import clean_commodity_name, parse_wpi, wpi_series_id

WIDE = b"""COMM_NAME,COMM_CODE,COMM_WT,INDX012024,INDX022024
All commodities,1000000000,100,151.2,151.6
II   FUEL & POWER,1200000000,13.15,146.0,NA
(B).  MINERAL OILS,1202000000,7.95,,154.1
"""


def test_wide_csv_rows():
    rows = parse_wpi(WIDE, document="wpi.csv", released_at=date(2024, 3, 14))
    assert [(r["series_id"], r["ref_period"], r["value"]) for r in rows] == [
        ("wpi_all_commodities", date(2024, 1, 1), 151.2),
        ("wpi_all_commodities", date(2024, 2, 1), 151.6),
        ("wpi_fuel_power", date(2024, 1, 1), 146.0),
        ("wpi_fuel_power", date(2024, 2, 1), None),
        ("wpi_mineral_oils", date(2024, 1, 1), None),
        ("wpi_mineral_oils", date(2024, 2, 1), 154.1),
    ]
    assert rows[2]["series_name"] == "Fuel & Power"
    assert {r["unit"] for r in rows} == {"index (2011-12=100)"}
    assert {r["released_at"] for r in rows} == {datetime(2024, 3, 14, tzinfo=UTC)}


def test_names_and_ids():
    assert clean_commodity_name("(A).  MANUFACTURE OF BASIC METALS") == "Manufacture Of Basic Metals"
    assert wpi_series_id("(A).  MANUFACTURE OF BASIC METALS") == "wpi_basic_metals"
    assert wpi_series_id("I    PRIMARY ARTICLES") == "wpi_primary_articles"
    assert wpi_series_id("a1. CEREALS") == "wpi_cereals"
    assert wpi_series_id("Vegetables") == "wpi_vegetables"
    # the same name at two levels keeps two series
    rows = parse_wpi(
        b"COMM_NAME,COMM_CODE,INDX012024\nCement,1315000000,120\na. CEMENT,1315010000,121\n",
        document="dup.csv",
        released_at=date(2024, 2, 14),
    )
    assert [r["series_id"] for r in rows] == ["wpi_cement", "wpi_cement_1315010000"]


def test_generated_wide_and_api_agree():
    macro = india_macro(months=26, seed=3)
    wide = parse_wpi(wpi_wide_csv(macro), document="landing.csv")
    year = macro.months[-1].year
    api = parse_wpi(json.dumps({"data": wpi_api_records(macro, year)}).encode(), document="api")
    wide_values = {(r["series_id"], r["ref_period"]): r["value"] for r in wide}
    assert all(wide_values[(r["series_id"], r["ref_period"])] == r["value"] for r in api)
    assert {
        "wpi_fuel_power",
        "wpi_manufactured_products",
        "wpi_primary_articles",
        "wpi_cement",
        "wpi_crude_petroleum_and_natural_gas",
    } <= {r["series_id"] for r in api}
    # the wide file's RELEASE_DATE column is the release of its newest month (14th of the next month)
    assert {r["released_at"].date() for r in wide} == {
        date(year + (macro.months[-1].month == 12), macro.months[-1].month % 12 + 1, 14)
    }


def test_bad_input():
    with pytest.raises(SourceError) as err:
        parse_wpi(b"COMM_NAME,COMM_CODE,INDX132024\nX,1,100\n", document="w", released_at=date(2024, 1, 1))
    assert err.value.field == "indx132024"
    with pytest.raises(SourceError) as err:
        parse_wpi(b"COMM_NAME,COMM_CODE,INDX012024\n,1,100\n", document="w", released_at=date(2024, 1, 1))
    assert err.value.field == "comm_name"
    with pytest.raises(SourceError) as err:
        parse_wpi(b"COMM_NAME,COMM_CODE,INDX012024\nX,1,abc\n", document="w", released_at=date(2024, 1, 1))
    assert err.value.field == "line 2 indx012024"
