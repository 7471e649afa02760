"""SEC parsers on the real public payloads (../shared) and on broken documents."""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import pytest

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.sec.companyfacts import parse_companyfacts
from valuation_platform.sources.sec.submissions import parse_submissions
from valuation_platform.sources.sec.tickers import parse_company_tickers


def test_real_company_tickers(shared_fixtures) -> None:
    rows = parse_company_tickers(json.loads((shared_fixtures / "sec/company_tickers.json").read_text()))
    by_ticker = {r["ticker"]: r for r in rows}
    assert by_ticker["MSFT"]["cik"] == 789019
    assert by_ticker["AAPL"] == {"ticker": "AAPL", "cik": 320193, "title": "Apple Inc."}
    assert len(rows) == 9610


def test_real_tesla_submissions(shared_fixtures) -> None:
    payload = json.loads((shared_fixtures / "sec/submissions_CIK0001318605.json").read_text())
    row = parse_submissions(payload, "tesla")
    assert row["cik"] == 1318605 and row["name"] == "Tesla, Inc."
    assert row["sic"] == 3711 and row["fiscal_year_end"] == "1231"
    assert row["tickers"] == ["TSLA"]
    recent = payload["filings"]["recent"]
    expected = max(d for f, d in zip(recent["form"], recent["filingDate"]) if f in ("10-K", "10-K/A"))
    assert row["latest_10k_filed"] == date.fromisoformat(expected)


def test_real_snowflake_companyfacts(shared_fixtures) -> None:
    payload = json.loads((shared_fixtures / "sec/companyfacts_CIK0001640147.json").read_text())
    facts = parse_companyfacts(payload, "snow", expected_cik=1640147)
    expected_rows = sum(
        len(entries)
        for taxonomy in ("us-gaap", "dei")
        for body in payload["facts"][taxonomy].values()
        for entries in body["units"].values()
    )
    assert facts.height == expected_rows  # srt facts are deliberately not loaded
    revenue = facts.filter(
        (pl.col("concept") == "RevenueFromContractWithCustomerExcludingAssessedTax")
        & (pl.col("period_end") == date(2024, 1, 31))
        & (pl.col("duration_days") > 360)
    )
    assert set(revenue["value"]) == {2_806_489_000.0}
    assert set(revenue["accession"]) == {"0001640147-24-000101", "0001640147-25-000052"}  # re-reported
    assets = facts.filter((pl.col("concept") == "Assets") & (pl.col("period_end") == date(2020, 1, 31)))
    assert assets["duration_days"].to_list() == [0, 0] and assets["period_start"].null_count() == 2


def _doc(**facts) -> dict:
    return {"cik": 7, "entityName": "X", "facts": facts}


def test_companyfacts_without_facts() -> None:
    with pytest.raises(SourceError) as err:
        parse_companyfacts({"cik": 7, "entityName": "X"}, "doc7")
    assert err.value.field == "facts" and "doc7" in str(err.value)


def test_ifrs_only_filer_is_named() -> None:
    with pytest.raises(SourceError, match="no us-gaap taxonomy .*ifrs-full"):
        parse_companyfacts(_doc(**{"ifrs-full": {}, "dei": {}}), "doc7")


def test_bad_fact_names_its_path() -> None:
    bad = {"Revenues": {"units": {"USD": [{"end": "2024-13-01", "val": 1, "accn": "a", "filed": "2024-02-01"}]}}}
    with pytest.raises(SourceError) as err:
        parse_companyfacts(_doc(**{"us-gaap": bad}), "doc7")
    assert err.value.field == "facts.us-gaap.Revenues.units.USD[0].end"


def test_non_numeric_value_and_wrong_cik() -> None:
    bad = {"Revenues": {"units": {"USD": [{"end": "2024-01-31", "val": "12", "accn": "a", "filed": "2024-02-01"}]}}}
    with pytest.raises(SourceError, match="non-numeric"):
        parse_companyfacts(_doc(**{"us-gaap": bad}), "doc7")
    with pytest.raises(SourceError, match="expected 8"):
        parse_companyfacts(_doc(**{"us-gaap": {}}), "doc7", expected_cik=8)


def test_tickers_row_without_cik() -> None:
    with pytest.raises(SourceError) as err:
        parse_company_tickers({"0": {"ticker": "ZZZ", "title": "No Cik"}})
    assert err.value.field == "0.cik_str" and "ZZZ" in str(err.value)


def test_submissions_bad_fiscal_year_end() -> None:
    with pytest.raises(SourceError) as err:
        parse_submissions({"cik": "5", "name": "A", "fiscalYearEnd": "1332"}, "sub5")
    assert err.value.field == "fiscalYearEnd"
