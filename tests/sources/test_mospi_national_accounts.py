"""National accounts (quarterly GDP/GVA) parser: fiscal quarters, real and nominal rows, generated data."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, date, datetime

import pytest

from valuation_platform.generator.india import NET_TAXES, india_macro, nas_records
from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.mospi.national_accounts import (
    nas_item,
    parse_national_accounts,
    quarter_start,
)

CSV = b"""Base Year,Year,Quarter,Indicator,Industry,Current Price,Constant Price,Unit,Estimate,Release Date
2011-12,2023-24,Q1,GDP,,7049211,4091629,Rs crore,FRE,2024-05-31
2011-12,2023-24,Q1,GVA,Manufacturing,1023460,658560,Rs crore,FRE,2024-05-31
2011-12,2023-24,Annual,GDP,,29535667,17381722,Rs crore,FRE,2024-05-31
2011-12,2023-24,Q4,GVA,"Financial, Real Estate & Professional Services",,1320000,Rs crore,PE,2024-05-31T10:30:00Z
"""


def test_quarter_starts():
    assert [quarter_start("2023-24", q, document="d", field="f") for q in ("Q1", "Q2", "Q3", "Q4")] == [
        date(2023, 4, 1),
        date(2023, 7, 1),
        date(2023, 10, 1),
        date(2024, 1, 1),
    ]
    with pytest.raises(SourceError):
        quarter_start("2023-24", "Q5", document="d", field="f")


def test_rows_real_and_nominal():
    rows = parse_national_accounts(CSV, document="nas.csv")
    assert [(r["series_id"], r["ref_period"], r["value"]) for r in rows] == [
        ("nas_gdp_real", date(2023, 4, 1), 4091629.0),
        ("nas_gdp_nominal", date(2023, 4, 1), 7049211.0),
        ("nas_gva_manufacturing_real", date(2023, 4, 1), 658560.0),
        ("nas_gva_manufacturing_nominal", date(2023, 4, 1), 1023460.0),
        ("nas_gva_financial_real", date(2024, 1, 1), 1320000.0),
        ("nas_gva_financial_nominal", date(2024, 1, 1), None),
    ]
    assert rows[0]["released_at"] == datetime(2024, 5, 31, tzinfo=UTC)
    assert rows[-1]["released_at"] == datetime(2024, 5, 31, 10, 30, tzinfo=UTC)
    assert {r["frequency"] for r in rows} == {"Q"} and {r["unit"] for r in rows} == {"Rs crore"}
    assert nas_item("GVA", "Agriculture, Livestock, Forestry & Fishing") == "gva_agriculture"
    assert nas_item("GVA", "Total GVA at Basic Prices") == "gva_total"


def test_generated_accounts_add_up():
    macro = india_macro(months=36, seed=11)
    rows = parse_national_accounts(json.dumps({"data": nas_records(macro)}).encode(), document="api")
    by = defaultdict(dict)
    for r in rows:
        by[r["series_id"]][r["ref_period"]] = r["value"]
    quarters = sorted(by["nas_gdp_real"])
    assert len(quarters) == 12 and quarters[0].month in (1, 4, 7, 10)
    activities = [
        s for s in by if s.startswith("nas_gva_") and s.endswith("_real") and s != "nas_gva_total_real"
    ]
    assert len(activities) == 8
    for q in quarters:
        assert abs(sum(by[s][q] for s in activities) - by["nas_gva_total_real"][q]) <= 8
        assert abs(by["nas_gdp_real"][q] - by["nas_gva_total_real"][q] * NET_TAXES) <= 1
        assert by["nas_gdp_nominal"][q] > by["nas_gdp_real"][q]
    growth = (by["nas_gdp_real"][quarters[-1]] / by["nas_gdp_real"][quarters[-5]] - 1) * 100
    assert 4.0 < growth < 10.0


def test_bad_records():
    with pytest.raises(SourceError, match="neither current_price nor constant_price"):
        parse_national_accounts(
            b"Year,Quarter,Indicator\n2023-24,Q1,GDP\n", document="n", released_at=date(2024, 1, 1)
        )
    with pytest.raises(SourceError) as err:
        parse_national_accounts(
            b"Year,Quarter,Indicator,Constant Price\n2023-24,Q1,GDP,12x\n",
            document="n",
            released_at=date(2024, 1, 1),
        )
    assert err.value.field == "record 0 constant_price"
