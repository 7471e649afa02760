"""MOSPI CPI parser: the real All-India index file, the API record layout, revisions and bad input."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.mospi.cpi import cpi_series_id, parse_cpi
from valuation_platform.sources.mospi.series import MACRO_ROW_KEYS, latest_release

FIXTURE = "mospi/cpi_all_india_index_2013-01_2024-02.csv"  # in ../shared/fixtures (the shared_fixtures fixture)
RELEASED = datetime(2024, 3, 12, 10, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def real_rows(shared_fixtures):
    path = shared_fixtures / FIXTURE
    return parse_cpi(path.read_bytes(), document=path.name, released_at=RELEASED)


def _value(rows, series_id, period):
    [row] = [r for r in rows if r["series_id"] == series_id and r["ref_period"] == period]
    return row["value"]


def test_real_file_shape(real_rows):
    # 399 data lines x 27 index columns, one row per (sector, month, group).
    assert len(real_rows) == 399 * 27
    assert all(tuple(r) == MACRO_ROW_KEYS for r in real_rows)
    assert {r["sector"] for r in real_rows} == {"Rural", "Urban", "Combined"}
    assert {r["geography"] for r in real_rows} == {"All India"}
    assert {r["released_at"] for r in real_rows} == {RELEASED}
    periods = sorted({r["ref_period"] for r in real_rows})
    assert periods[0] == date(2013, 1, 1) and periods[-1] == date(2024, 2, 1)
    # 'Marcrh' and 'November ' in the file still land on March and November.
    assert sum(1 for p in periods if p.month == 3) == 11
    assert sum(1 for p in periods if p.month == 11) == 11
    assert all(r["unit"] == "index (2012=100)" and r["frequency"] == "M" for r in real_rows)


def test_real_values(real_rows):
    assert _value(real_rows, "cpi_combined_general_index", date(2024, 1, 1)) == 185.5
    assert _value(real_rows, "cpi_urban_vegetables", date(2024, 1, 1)) == 226.2
    assert _value(real_rows, "cpi_rural_cereals_and_products", date(2013, 1, 1)) == 107.5
    assert _value(real_rows, "cpi_combined_prepared_meals_snacks_sweets_etc", date(2024, 2, 1)) == 199.4
    # Rural has no Housing index: 'NA' in 2013, '-' in 2024; both are missing values.
    assert _value(real_rows, "cpi_rural_housing", date(2013, 1, 1)) is None
    assert _value(real_rows, "cpi_rural_housing", date(2024, 2, 1)) is None
    assert _value(real_rows, "cpi_urban_housing", date(2013, 1, 1)) == 100.3


def test_real_headline_yoy_matches_the_file(real_rows):
    jan24 = _value(real_rows, "cpi_combined_general_index", date(2024, 1, 1))
    jan23 = _value(real_rows, "cpi_combined_general_index", date(2023, 1, 1))
    # Hand values from the file: Rural+Urban January 2024 = 185.5, January 2023 = 176.5 (MOSPI printed 5.10%).
    assert (jan24, jan23) == (185.5, 176.5)
    assert round((jan24 / jan23 - 1) * 100, 2) == 5.10
    food = (
        _value(real_rows, "cpi_combined_food_and_beverages", date(2024, 1, 1))
        / _value(real_rows, "cpi_combined_food_and_beverages", date(2023, 1, 1))
        - 1
    ) * 100
    assert round(food, 2) == round((190.1 / 176.7 - 1) * 100, 2) == 7.58


def _api(records, **meta):
    return json.dumps(
        {
            "data": records,
            "msg": "Data fetched successfully",
            "statusCode": True,
            "meta_data": {"totalRecords": len(records), **meta},
        }
    ).encode()


RECORD = {
    "baseyear": "2012",
    "year": 2024,
    "month": "January",
    "state": "ALL India",
    "sector": "Combined",
    "group": "General",
    "subgroup": "",
    "index": "185.5",
    "inflation": "5.10",
    "status": "Final",
}


def test_api_records_give_the_same_ids_as_the_file():
    payload = _api(
        [
            RECORD,
            dict(RECORD, group="Food and beverages", subgroup="Vegetables", sector="Urban", index="226.2"),
            dict(RECORD, group="Housing", sector="Rural", index="NA", month="Marcrh"),
            dict(RECORD, state="Kerala", index="190.3"),
        ],
        release_date="2024-02-12",
    )
    rows = parse_cpi(payload, document="getCPIIndex?year=2024")
    assert [r["series_id"] for r in rows] == [
        "cpi_combined_general_index",
        "cpi_urban_vegetables",
        "cpi_rural_housing",
        "cpi_kerala_combined_general_index",
    ]
    assert rows[0]["value"] == 185.5 and rows[0]["series_name"] == "General index"
    assert rows[2]["value"] is None and rows[2]["ref_period"] == date(2024, 3, 1)
    assert rows[3]["geography"] == "Kerala"
    assert {r["released_at"] for r in rows} == {datetime(2024, 2, 12, tzinfo=UTC)}
    assert cpi_series_id("Combined", "General Index") == "cpi_combined_general_index"


def test_record_release_date_wins_and_latest_release_keeps_the_revision():
    provisional = parse_cpi(
        _api([dict(RECORD, index="185.2", release_date="2024-02-12T10:30:00Z")]), document="a"
    )
    final = parse_cpi(_api([dict(RECORD, index="185.5", release_date="2024-03-12T10:30:00Z")]), document="b")
    both = provisional + final
    assert [r["value"] for r in both] == [185.2, 185.5]
    [kept] = latest_release(reversed(both))
    assert kept["value"] == 185.5 and kept["released_at"] == datetime(2024, 3, 12, 10, 30, tzinfo=UTC)


def test_missing_release_date_is_refused():
    with pytest.raises(SourceError) as err:
        parse_cpi(_api([RECORD]), document="no-release")
    assert err.value.field == "released_at"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (b"Sector,Year,Month,General index\nRural,2024,Janvier,180\n", "line 2 Month"),
        (b"Sector,Year,Month,General index\nSuburban,2024,January,180\n", "line 2 Sector"),
        (b"Sector,Year,Month,General index\nRural,2024,January,1o5\n", "line 2 General index"),
        (b"Sector,Year,Month,General index\nRural,20x4,January,180\n", "line 2 Year"),
    ],
)
def test_bad_csv_cells_name_the_field(payload, field):
    with pytest.raises(SourceError) as err:
        parse_cpi(payload, document="bad.csv", released_at=RELEASED)
    assert err.value.field == field and err.value.document == "bad.csv"


def test_api_error_and_partial_page_are_refused():
    with pytest.raises(SourceError, match="API error"):
        parse_cpi(b'{"statusCode": false, "msg": "Invalid year"}', document="x", released_at=RELEASED)
    partial = json.dumps({"data": [RECORD], "statusCode": True, "meta_data": {"totalRecords": 5}}).encode()
    with pytest.raises(SourceError, match="partial page"):
        parse_cpi(partial, document="x", released_at=RELEASED)
    with pytest.raises(SourceError, match="no 'index'"):
        parse_cpi(
            _api([{k: v for k, v in RECORD.items() if k != "index"}]), document="x", released_at=RELEASED
        )
