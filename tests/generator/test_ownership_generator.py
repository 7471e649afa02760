"""The ownership generator writes real-format EDGAR payloads that the real clients read back."""

from __future__ import annotations

import hashlib
import statistics
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest

from valuation_platform.generator.ownership import (
    OwnershipWriteResult,
    federal_holidays,
    sec_business_days,
    write_ownership_data,
)
from valuation_platform.generator.universe import cusip_check_digit, us_companies
from valuation_platform.sources.errors import FetchError
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.sec.filing_index import (
    FORM4_TYPES,
    feed_filings,
    fetch_current_feed,
    fetch_current_feed_pages,
    fetch_daily_index,
)
from valuation_platform.sources.sec.form4 import fetch_form4, prefer_amendments
from valuation_platform.sources.sec.form13f import combine_13f_amendments, fetch_13f_dataset, fetch_13f_filing

START, END = date(2024, 1, 2), date(2024, 2, 29)
COMPANIES = us_companies(12)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[HttpClient, OwnershipWriteResult]:
    root = tmp_path_factory.mktemp("ownership")
    result = write_ownership_data(root, COMPANIES, START, END, n_filers=4)
    return HttpClient(source_root=root), result


@pytest.fixture(scope="module")
def form4_rows(generated: tuple[HttpClient, OwnershipWriteResult]) -> dict[str, list[dict]]:
    client, result = generated
    return {
        f["accession"]: fetch_form4(client, f["issuer_cik"], f["accession"], filing_date=f["filing_date"])
        for f in result.form4
    }


def test_sec_calendar() -> None:
    assert {date(2024, 1, 1), date(2024, 1, 15), date(2024, 2, 19), date(2024, 6, 19)} <= federal_holidays(
        2024
    )
    assert date(2021, 12, 31) in federal_holidays(2022)  # New Year's Day 2022 fell on a Saturday
    days = sec_business_days(date(2024, 1, 12), date(2024, 1, 17))
    assert days == [date(2024, 1, 12), date(2024, 1, 16), date(2024, 1, 17)]


def test_form4_edge_cases_are_present(generated: tuple[HttpClient, OwnershipWriteResult], form4_rows) -> None:
    _, result = generated
    kinds = {f["kind"] for f in result.form4}
    assert {"regular", "derivative_only", "joint", "amendment"} <= kinds
    for filing in result.form4:
        rows = form4_rows[filing["accession"]]
        assert rows, filing
        assert {r["ticker"] for r in rows} == {filing["ticker"]}
        assert rows[0]["reporting_owner_ciks"] == filing["owner_ciks"]
        if filing["kind"] == "derivative_only":
            assert all(r["is_derivative"] for r in rows)
        if filing["kind"] == "joint":
            assert rows[0]["n_reporting_owners"] == 2 and rows[0]["is_ten_percent_owner"]
            assert all(r["direct_indirect"] == "I" for r in rows)
    amendment = next(f for f in result.form4 if f["kind"] == "amendment")
    original = next(f for f in result.form4 if f["accession"] == amendment["amends"])
    amended_rows = form4_rows[amendment["accession"]]
    assert amended_rows[0]["document_type"] == "4/A"
    assert amended_rows[0]["date_of_original_submission"] == original["filing_date"]
    everything = [row for rows in form4_rows.values() for row in rows]
    kept = {r["accession"] for r in prefer_amendments(everything)}
    assert amendment["accession"] in kept and original["accession"] not in kept


def test_form4_folder_exists_under_every_filer(
    generated: tuple[HttpClient, OwnershipWriteResult], form4_rows
) -> None:
    client, result = generated
    joint = next(f for f in result.form4 if f["kind"] == "joint")
    for cik in joint["owner_ciks"]:
        assert fetch_form4(client, cik, joint["accession"]) == form4_rows[joint["accession"]]


def test_holdings_after_each_trade_add_up(form4_rows) -> None:
    """Direct non-derivative positions chain from one transaction to the next, across filings."""
    chains: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for accession in sorted(form4_rows):  # one owner's accessions number its filings in order
        for row in form4_rows[accession]:
            if not row["is_amendment"] and not row["is_derivative"] and row["record_type"] == "transaction":
                chains[(row["insider_cik"], row["issuer_cik"])].append(row)
    checked = 0
    for rows in chains.values():
        for before, row in zip(rows, rows[1:], strict=False):
            signed = row["shares"] if row["acquired_disposed"] == "A" else -row["shares"]
            assert row["shares_owned_after"] == pytest.approx(before["shares_owned_after"] + signed)
            checked += 1
    assert checked >= 15


def test_current_feed_pages(generated: tuple[HttpClient, OwnershipWriteResult]) -> None:
    client, result = generated
    entries = fetch_current_feed_pages(client, "4")
    expected_entries = sum(1 + len(f["owner_ciks"]) for f in result.form4)
    assert len(entries) == min(300, expected_entries)
    stamps = [e["updated"] for e in entries]
    assert stamps == sorted(stamps, reverse=True)
    by_accession = {f["accession"]: f for f in result.form4}
    for filing in feed_filings(entries):
        source = by_accession[filing["accession"]]
        assert filing["issuer_cik"] == source["issuer_cik"]
        assert sorted(filing["reporting_ciks"]) == sorted(source["owner_ciks"])
        assert (
            filing["filing_date"] == source["filing_date"] and filing["form_type"] == source["document_type"]
        )
    accented = [e for e in entries if any(ord(ch) > 127 for ch in e["company_name"])]
    assert accented, "the ISO-8859-1 feed should carry some accented owner names"
    thirteen = fetch_current_feed(client, "13F-HR")
    assert {e["accession"] for e in thirteen} == {f["accession"] for f in result.form13f}


def test_daily_indexes_list_the_days_filings(generated: tuple[HttpClient, OwnershipWriteResult]) -> None:
    client, result = generated
    days = sec_business_days(START, END)
    assert len(result.daily_index_files) == len(days)
    for day in days:
        rows = fetch_daily_index(client, day)
        form4 = [r for r in rows if r["form_type"] in FORM4_TYPES]
        expected = [f for f in result.form4 if f["filing_date"] == day]
        assert {r["accession"] for r in form4} == {f["accession"] for f in expected}
        assert len(form4) == sum(1 + len(f["owner_ciks"]) for f in expected)  # one line per filer
        thirteen = {r["accession"] for r in rows if r["form_type"].startswith("13F")}
        assert thirteen == {f["accession"] for f in result.form13f if f["filing_date"] == day}
        assert all(r["date_filed"] == day for r in rows)
    with pytest.raises(FetchError) as holiday:
        fetch_daily_index(client, date(2024, 1, 15))  # Martin Luther King Jr. Day: nothing published
    assert holiday.value.status == 404


def test_13f_filings_amendments_and_units(generated: tuple[HttpClient, OwnershipWriteResult]) -> None:
    client, result = generated
    covers, holdings = [], []
    for filing in result.form13f:
        out = fetch_13f_filing(client, filing["filer_cik"], filing["accession"])
        assert out["cover"]["filing_date"] == filing["filing_date"]
        assert len(out["holdings"]) == out["cover"]["table_entry_total"] == filing["n_rows"]
        assert sum(h["value_reported"] for h in out["holdings"]) == out["cover"]["table_value_total"]
        covers.append(out["cover"])
        holdings.extend(out["holdings"])
    assert {c["amendment_type"] for c in covers} == {None, "RESTATEMENT", "NEW HOLDINGS"}
    assert {h["put_call"] for h in holdings} == {None, "PUT", "CALL"}
    assert "PRN" in {h["share_type"] for h in holdings}
    universe = {c.cusip for c in COMPANIES}
    outside = {h["cusip"] for h in holdings} - universe
    assert outside and {h["cusip"] for h in holdings} & universe
    assert all(c[8] == cusip_check_digit(c[:8]) for c in outside)
    assert {h["value_unit"] for h in holdings} == {"dollars"}  # all filed in 2023-2024

    kept = combine_13f_amendments(covers, holdings)
    restated = next(c for c in covers if c["amendment_type"] == "RESTATEMENT")
    added = next(c for c in covers if c["amendment_type"] == "NEW HOLDINGS")
    for amendment, expected_sources in ((restated, 1), (added, 2)):
        key = (amendment["filer_cik"], amendment["report_period"])
        sources = {h["accession"] for h in kept if (h["filer_cik"], h["report_period"]) == key}
        assert amendment["accession"] in sources and len(sources) == expected_sources


def test_dataset_matches_the_xml_filings(generated: tuple[HttpClient, OwnershipWriteResult]) -> None:
    client, result = generated
    data = fetch_13f_dataset(client, result.dataset_label)
    assert data.warnings == []
    accessions = set(data.covers.get_column("accession"))
    assert accessions and accessions <= {f["accession"] for f in result.form13f}
    xml_rows = []
    for filing in result.form13f:
        if filing["accession"] in accessions:
            xml_rows += fetch_13f_filing(client, filing["filer_cik"], filing["accession"])["holdings"]
    columns = (
        "accession",
        "cusip",
        "shares",
        "value_reported",
        "value_usd",
        "put_call",
        "share_type",
        "row_number",
    )
    assert sorted(data.holdings.select(columns).rows()) == sorted(
        tuple(r[c] for c in columns) for r in xml_rows
    )


def test_values_switch_units_on_2023_01_03(tmp_path: Path) -> None:
    result = write_ownership_data(
        tmp_path, COMPANIES, date(2022, 12, 1), date(2023, 3, 31), n_filers=3, seed=5
    )
    client = HttpClient(source_root=tmp_path)
    implied: dict[tuple[int, str], dict[str, float]] = defaultdict(dict)
    units = set()
    for filing in result.form13f:
        if filing["amendment_type"]:
            continue
        for h in fetch_13f_filing(client, filing["filer_cik"], filing["accession"])["holdings"]:
            units.add((h["filing_date"] >= date(2023, 1, 3), h["value_unit"]))
            if h["put_call"] is None and h["share_type"] == "SH":
                implied[(h["filer_cik"], h["cusip"])][h["value_unit"]] = h["value_usd"] / h["shares"]
    assert units == {(False, "thousands"), (True, "dollars")}
    ratios = [p["dollars"] / p["thousands"] for p in implied.values() if len(p) == 2]
    assert len(ratios) > 10
    assert 0.7 < statistics.median(ratios) < 1.4  # same prices on both sides of the switch, not x1000


def _digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


def test_deterministic_for_a_seed(tmp_path: Path) -> None:
    window = (date(2024, 3, 4), date(2024, 3, 8))
    write_ownership_data(tmp_path / "a", COMPANIES[:5], *window, n_filers=2)
    write_ownership_data(tmp_path / "b", COMPANIES[:5], *window, n_filers=2)
    write_ownership_data(tmp_path / "c", COMPANIES[:5], *window, n_filers=2, seed=18)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_rejects_empty_inputs(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no companies"):
        write_ownership_data(tmp_path, (), START, END)
    saturday = date(2024, 3, 9)
    with pytest.raises(ValueError, match="no SEC business day"):
        write_ownership_data(tmp_path, COMPANIES, saturday, saturday + timedelta(days=1))
