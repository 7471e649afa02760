"""IIP parser: the real use-based table (base 2004-05), the sectoral variant, API records, bad input."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from valuation_platform.generator.india import iip_api_records, iip_table_csv, india_macro
from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.mospi.iip import iip_series, parse_iip

FIXTURE = "mospi/iip_use_based_monthly_base2004-05.csv"  # in ../shared/fixtures (the shared_fixtures fixture)
RELEASED = datetime(2017, 5, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def real_rows(shared_fixtures):
    path = shared_fixtures / FIXTURE
    return parse_iip(path.read_bytes(), document=path.name, released_at=RELEASED)


@pytest.fixture(scope="module")
def macro():
    return india_macro(months=30, seed=5)


def _values(rows):
    return {(r["series_id"], r["ref_period"]): r["value"] for r in rows}


def test_real_table_monthly_block_only(real_rows):
    # Apr 2005 - Mar 2017 is 144 months x 7 columns; annual averages and growth rows are skipped.
    assert len(real_rows) == 144 * 7
    assert {r["series_id"] for r in real_rows} == {
        "iip_basic_goods",
        "iip_capital_goods",
        "iip_intermediate_goods",
        "iip_consumer_goods",
        "iip_consumer_durables",
        "iip_consumer_non_durables",
        "iip_general",
    }
    assert {r["unit"] for r in real_rows} == {"index (2004-05=100)"}
    periods = sorted({r["ref_period"] for r in real_rows})
    assert (periods[0], periods[-1]) == (date(2005, 4, 1), date(2017, 3, 1))


def test_real_values_and_growth(real_rows):
    v = _values(real_rows)
    assert v[("iip_basic_goods", date(2005, 4, 1))] == 100.3
    assert v[("iip_consumer_durables", date(2005, 12, 1))] == 102.7  # the "Consumer goods / Durables" column
    assert v[("iip_general", date(2012, 9, 1))] == 163.1  # the row labelled "Sept'12"
    # The annual average 2005-06 printed in the file (108.6) is the mean of the twelve monthly indices.
    fy = [v[("iip_general", date(2005 + (m < 4), m, 1))] for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]
    assert round(sum(fy) / 12, 1) == 108.6
    # March 2017 general index YoY from the monthly rows.
    growth = (v[("iip_general", date(2017, 3, 1))] / v[("iip_general", date(2016, 3, 1))] - 1) * 100
    assert (v[("iip_general", date(2016, 3, 1))], v[("iip_general", date(2017, 3, 1))]) == (198.7, 205.3)
    assert round(growth, 2) == 3.32


def test_sectoral_variant_and_api_agree(macro):
    table = parse_iip(iip_table_csv(macro, layout="sectoral"), document="sectoral.csv", released_at=RELEASED)
    assert {r["series_id"] for r in table} == {
        "iip_mining",
        "iip_manufacturing",
        "iip_electricity",
        "iip_general",
    }
    assert {r["unit"] for r in table} == {"index (2011-12=100)"}
    year = macro.months[-1].year
    api_rows = parse_iip(json.dumps({"data": iip_api_records(macro, year)}).encode(), document="api")
    api = _values(api_rows)
    shared = [k for k in _values(table) if k in api]
    assert len(shared) == 4 * sum(1 for m in macro.months if m.year == year)
    assert all(api[k] == _values(table)[k] for k in shared)
    # General is the weighted average of the three sectors (weights 14.37 / 77.63 / 7.99).
    m = macro.months[-1]
    general = (
        14.37 * api[("iip_mining", m)]
        + 77.63 * api[("iip_manufacturing", m)]
        + 7.99 * api[("iip_electricity", m)]
    ) / 99.99
    assert abs(general - api[("iip_general", m)]) < 0.1
    assert "iip_motor_vehicles_trailers_and_semi_trailers" in {r["series_id"] for r in api_rows}
    assert all(r["released_at"].day == 28 for r in api_rows)


def test_use_based_table_round_trips(macro):
    rows = parse_iip(iip_table_csv(macro, layout="use_based"), document="use.csv", released_at=RELEASED)
    ids = {r["series_id"] for r in rows}
    assert "iip_infrastructure_construction_goods" in ids and "iip_primary_goods" in ids
    assert len(rows) == 7 * len(macro.months)
    assert (
        _values(rows)[("iip_capital_goods", macro.months[0])] == macro.iip["Capital goods"][macro.months[0]]
    )


def test_category_names():
    assert iip_series("Manufacture of basic metals") == ("iip_basic_metals", "Manufacture of basic metals")
    assert iip_series("Consumer goods Non-durables")[0] == "iip_consumer_non_durables"
    assert iip_series("General Index")[0] == "iip_general"


def test_bad_tables():
    header = "INDEX OF INDUSTRIAL PRODUCTION\n(Base : 2011-12=100)\nPeriod,Mining,General\nMonth,,Index\n"
    with pytest.raises(SourceError, match="no monthly rows"):
        parse_iip((header + "2021-22,1,2\n").encode(), document="t", released_at=RELEASED)
    with pytest.raises(SourceError) as err:
        parse_iip((header + "Apr'21,1o1.2,100\n").encode(), document="t", released_at=RELEASED)
    assert err.value.field == "line 5 Mining"
    with pytest.raises(SourceError) as err:
        parse_iip(
            b'{"data": [{"year": 2024, "month": "May", "index": "1"}]}', document="t", released_at=RELEASED
        )
    assert err.value.field == "category"
