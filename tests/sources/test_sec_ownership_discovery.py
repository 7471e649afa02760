"""EDGAR business days, filing discovery (real index and feed), 13F data-set labels, ownership partitions."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from valuation_platform.generator.universe import cusip_check_digit
from valuation_platform.pipelines.ownership.form13f_load import quarter_end, quarter_start, scan_days
from valuation_platform.lib.partitions import SEC_FILING_DAYS, THIRTEENF_QUARTERS
from valuation_platform.sources.sec.calendar import holidays_between, is_sec_business_day, sec_business_days
from valuation_platform.sources.sec.discovery import refs_from_daily_index, refs_from_feed
from valuation_platform.sources.sec.filing_index import FORM4_TYPES, parse_current_feed, parse_daily_index
from valuation_platform.sources.sec.form13f import dataset_label_for_period

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "sec"
SEED = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "ownership" / "cusip_ticker_map.csv"


def fixture(name: str) -> bytes:
    path = FIXTURES / name
    if not path.is_file():
        pytest.skip(f"shared fixture {name} not available")
    return path.read_bytes()


def test_edgar_days_differ_from_the_stock_market() -> None:
    assert is_sec_business_day(date(2026, 4, 3))  # Good Friday: NYSE closed, EDGAR open
    assert not is_sec_business_day(date(2026, 10, 12))  # Columbus Day: the reverse
    assert not is_sec_business_day(date(2026, 11, 11))  # Veterans Day
    assert not is_sec_business_day(date(2021, 12, 31))  # New Year's Day 2022 observed on the Friday before
    assert holidays_between(date(2026, 11, 1), date(2026, 11, 30)) == [date(2026, 11, 11), date(2026, 11, 26)]
    assert sec_business_days(date(2026, 11, 9), date(2026, 11, 13)) == [
        date(2026, 11, 9), date(2026, 11, 10), date(2026, 11, 12), date(2026, 11, 13)
    ]  # fmt: skip


def test_filing_day_partitions_skip_holidays_and_include_today() -> None:
    now = datetime(2026, 11, 20, 11, 0, tzinfo=ZoneInfo("America/New_York"))
    keys = SEC_FILING_DAYS.get_partition_keys(current_time=now)
    november = [k for k in keys if k.startswith("2026-11")]
    assert november == [d.isoformat() for d in sec_business_days(date(2026, 11, 1), date(2026, 11, 20))]
    assert keys[0] == "2004-01-02" and len(keys) < 10_000


def test_quarter_partitions_and_their_report_periods() -> None:
    keys = THIRTEENF_QUARTERS.get_partition_keys(current_time=datetime(2026, 11, 20))
    assert keys[0] == "2013-04-01" and keys[-2:] == ["2026-04-01", "2026-07-01"]  # Q4 2026 not over yet
    assert quarter_end(date(2026, 7, 1)) == date(2026, 9, 30) and quarter_end(date(2026, 10, 1)) == date(
        2026, 12, 31
    )
    assert quarter_start(date(2026, 9, 30)) == date(2026, 7, 1)
    days = scan_days(date(2026, 9, 30))
    assert (days[0], days[-1]) == (date(2026, 10, 1), date(2026, 12, 31))


@pytest.mark.parametrize(
    ("period", "label"),
    [
        (date(2023, 9, 30), "2023q4"),  # the older calendar-quarter files (filings made Oct-Dec)
        (date(2023, 12, 31), "01jan2024-29feb2024"),  # the two-month transition file
        (date(2024, 3, 31), "01mar2024-31may2024"),
        (date(2024, 12, 31), "01dec2024-28feb2025"),
        (date(2026, 6, 30), "01jun2026-31aug2026"),
        (date(2026, 9, 30), "01sep2026-30nov2026"),
    ],
)
def test_13f_dataset_holding_a_report_period(period: date, label: str) -> None:
    assert dataset_label_for_period(period) == label


def test_daily_index_folds_filers_into_one_ref_per_accession() -> None:
    rows = parse_daily_index(fixture("daily-index_form.20200318.idx"), forms=FORM4_TYPES)
    refs = refs_from_daily_index(rows)
    assert len(refs) == len({r["accession"] for r in rows}) < len(rows)
    assert all(len(ref.filer_ciks) >= 2 for ref in refs)  # the issuer and at least one reporting owner
    joint = max(refs, key=lambda ref: len(ref.filer_ciks))
    assert len(joint.filer_ciks) == len({r["cik"] for r in rows if r["accession"] == joint.accession})
    # without an issuer from the feed, a universe CIK is preferred for the folder
    assert joint.archive_cik(prefer={joint.filer_ciks[-1]}) == joint.filer_ciks[-1]
    assert joint.archive_cik() == joint.filer_ciks[0]


def test_feed_refs_name_the_issuer() -> None:
    entries = parse_current_feed(fixture("getcurrent_atom_page0.xml"))
    refs = [ref for ref in refs_from_feed(entries) if ref.form_type in FORM4_TYPES]
    assert refs and all(
        ref.issuer_cik in ref.filer_ciks and ref.archive_cik() == ref.issuer_cik for ref in refs
    )
    assert {ref.discovered_via for ref in refs} == {"current_feed"}
    assert {e["form_type"] for e in entries} - FORM4_TYPES  # the real feed mixes in other forms


def test_cusip_seed_check_digits() -> None:
    with SEED.open() as handle:
        rows = list(csv.DictReader(handle))
    assert rows and len({r["cusip"] for r in rows}) == len(rows)
    assert all(len(r["cusip"]) == 9 and cusip_check_digit(r["cusip"][:8]) == r["cusip"][8] for r in rows)
