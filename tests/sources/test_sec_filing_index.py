"""EDGAR discovery: the current-filings Atom feed, the daily form index and filing folders (index.json)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.support.mirror_server import MirrorServer, status, truncate
from valuation_platform.sources.errors import FetchError, SourceError
from valuation_platform.sources.http import HttpClient, mirror_relpath
from valuation_platform.sources.sec.filing_index import (
    CURRENT_FEED_URL,
    accession_nodash,
    current_feed_params,
    daily_index_url,
    feed_filings,
    fetch_current_feed,
    fetch_daily_index,
    filing_date_from_index,
    filing_index_json_url,
    normalize_accession,
    parse_current_feed,
    parse_daily_index,
    parse_filing_index_json,
    pick_13f_documents,
    pick_form4_document,
    primary_document_url,
)

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "sec"


def fixture(name: str) -> bytes:
    path = FIXTURES / name
    if not path.is_file():
        pytest.skip(f"shared fixture {name} not available")
    return path.read_bytes()


# ---------------------------------------------------------------- accessions and URLs
def test_accession_forms_normalise_to_the_dashed_form() -> None:
    assert normalize_accession("000164014722000218") == "0001640147-22-000218"
    assert normalize_accession(" 0001640147-22-000218 ") == "0001640147-22-000218"
    assert accession_nodash("0001640147-22-000218") == "000164014722000218"
    with pytest.raises(ValueError):
        normalize_accession("1640147-22-218")


def test_urls_follow_the_edgar_layout() -> None:
    assert (
        filing_index_json_url(1640147, "0001640147-22-000218")
        == "https://www.sec.gov/Archives/edgar/data/1640147/000164014722000218/index.json"
    )
    assert (
        daily_index_url(date(2020, 3, 18))
        == "https://www.sec.gov/Archives/edgar/daily-index/2020/QTR1/form.20200318.idx"
    )
    assert daily_index_url(date(2024, 11, 5)).endswith("/2024/QTR4/form.20241105.idx")


def test_feed_mirror_file_name_is_the_sorted_query() -> None:
    params = current_feed_params("4", start=100, count=100)
    assert mirror_relpath(CURRENT_FEED_URL, params) == (
        "www.sec.gov/cgi-bin/browse-edgar?action=getcurrent&count=100&output=atom&start=100&type=4"
    )
    with pytest.raises(ValueError, match="count"):
        current_feed_params("4", count=50)


# ---------------------------------------------------------------- Atom feed (real page)
def test_current_feed_real_page() -> None:
    rows = parse_current_feed(fixture("getcurrent_atom_page0.xml"))
    assert len(rows) == 100
    first = rows[0]
    assert first == {
        "form_type": "4",
        "accession": "0002063236-25-000004",
        "cik": 2063236,
        "company_name": "Perez Daniel Antonio",
        "role": "Reporting",
        "filing_date": date(2025, 12, 12),
        "updated": datetime(2025, 12, 12, 23, 2, 43, tzinfo=UTC),  # 18:02:43-05:00
        "filing_index_url": "https://www.sec.gov/Archives/edgar/data/2063236/000206323625000004/"
        "0002063236-25-000004-index.htm",
        "size_kb": 10,
    }
    assert Counter(r["role"] for r in rows) == {"Reporting": 48, "Issuer": 44, "Subject": 6, "Filed by": 2}
    assert Counter(r["form_type"] for r in rows)["4"] == 88
    # names that contain parentheses themselves keep them; the CIK and role are the last two groups
    atlantic = next(r for r in rows if r["cik"] == 1853603)
    assert atlantic["company_name"] == "General Atlantic (ALN HLTH), L.P."
    assert atlantic["accession"] == "0000950142-25-003182"
    assert all(r["updated"].tzinfo is UTC for r in rows)


def test_feed_entries_fold_into_one_filing_per_accession() -> None:
    filings = feed_filings(parse_current_feed(fixture("getcurrent_atom_page0.xml")))
    assert len(filings) == 50
    hinge = filings[0]
    assert hinge["accession"] == "0002063236-25-000004"
    assert (hinge["issuer_cik"], hinge["issuer_name"]) == (1673743, "Hinge Health, Inc.")
    assert hinge["reporting_ciks"] == [2063236]
    assert hinge["archive_cik"] == 1673743


def test_feed_that_is_not_atom_or_is_cut_off_raises() -> None:
    body = fixture("getcurrent_atom_page0.xml")
    with pytest.raises(SourceError, match="truncated XML"):
        parse_current_feed(body[: len(body) // 3])
    with pytest.raises(SourceError, match="expected an Atom"):
        parse_current_feed(b"<rss><channel/></rss>")


# ---------------------------------------------------------------- daily form index (real file)
def test_daily_index_real_file_filtered_to_ownership_forms() -> None:
    rows = parse_daily_index(fixture("daily-index_form.20200318.idx"))
    counts = Counter(r["form_type"] for r in rows)
    assert counts == {"4": 2040, "4/A": 34, "13F-HR": 1, "13F-HR/A": 1}
    hr = next(r for r in rows if r["form_type"] == "13F-HR")
    assert hr == {
        "form_type": "13F-HR",
        "company_name": "Global Strategic Investment Solutions, LLC",
        "cik": 1760076,
        "date_filed": date(2020, 3, 18),
        "file_name": "edgar/data/1760076/0001760076-20-000004.txt",
        "accession": "0001760076-20-000004",
    }
    amended = next(r for r in rows if r["form_type"] == "13F-HR/A")
    assert (amended["company_name"], amended["cik"]) == ("MACQUARIE GROUP LTD", 1418333)


def test_daily_index_real_file_every_form() -> None:
    rows = parse_daily_index(fixture("daily-index_form.20200318.idx"), forms=None)
    assert len(rows) == 4084  # every data line of the file
    counts = Counter(r["form_type"] for r in rows)
    assert counts["8-K"] == 232 and counts["1-A POS"] == 2 and counts["DEF 14A"] == 43
    staff = [r for r in rows if r["form_type"] == "SEC STAFF"]
    assert staff[1]["date_filed"] == date(2020, 1, 31)  # the index lists late-disseminated filings too


def test_daily_index_with_widened_form_column() -> None:
    """Newer indexes widen the form column to 17 for SCHEDULE 13G/A but keep the old header."""
    header = (
        f"{'Form Type':<12}{'Company Name':<62}{'CIK':<12}{'Date Filed':<12}File Name\n" + "-" * 141 + "\n"
    )
    lines = [  # (form, its column width, company, cik, accession)
        ("4", 17, "Tesla, Inc.", 1318605, "0001628280-25-043000"),
        ("SCHEDULE 13G/A", 17, "1 800 FLOWERS COM INC", 1084869, "0001493152-25-021598"),
        ("4/A", 12, "SMITH  JOHN", 7777777, "0007777777-25-000001"),
    ]
    body = (
        header
        + "".join(
            f"{form:<{width}}{name:<62}{cik:<12}20251215    edgar/data/{cik}/{acc}.txt\n"
            for form, width, name, cik, acc in lines
        )
    ).encode()
    rows = parse_daily_index(body, forms=None)
    assert [(r["form_type"], r["company_name"], r["cik"]) for r in rows] == [
        ("4", "Tesla, Inc.", 1318605),
        ("SCHEDULE 13G/A", "1 800 FLOWERS COM INC", 1084869),
        ("4/A", "SMITH  JOHN", 7777777),
    ]
    assert [r["form_type"] for r in parse_daily_index(body)] == ["4", "4/A"]


def test_daily_index_without_header_or_with_garbage_raises() -> None:
    with pytest.raises(SourceError, match="header"):
        parse_daily_index(b"<html>Service unavailable</html>")
    body = b"Form Type   Company Name   CIK  Date Filed  File Name\n-----\n4    not a row\n"
    with pytest.raises(SourceError, match="line 3"):
        parse_daily_index(body)


# ---------------------------------------------------------------- filing folders
def _listing(*items: tuple[str, str, str]) -> bytes:
    return json.dumps(
        {
            "directory": {
                "item": [
                    {"last-modified": modified, "name": name, "type": "text.gif", "size": size}
                    for name, size, modified in items
                ]
                + [{"last-modified": "2022-12-14 18:33:41", "name": "xslF345X04/", "type": "folder.gif"}],
                "name": "/Archives/edgar/data/1640147/000164014722000218",
            }
        }
    ).encode()


def test_primary_form4_document_skips_xbrl_and_viewer_files() -> None:
    items = parse_filing_index_json(
        _listing(
            ("0001640147-22-000218-index-headers.html", "", "2022-12-14 18:33:41"),
            ("R1.xml", "900", "2022-12-14 18:33:41"),
            ("snow-20221213_htm.xml", "4000", "2022-12-14 18:33:41"),
            ("FilingSummary.xml", "700", "2022-12-14 18:33:41"),
            ("wf-form4_167106081927406.xml", "11000", "2022-12-14 18:33:40"),
        ),
        document="index.json",
    )
    assert items[-1]["is_folder"] and items[-1]["name"] == "xslF345X04/"
    assert pick_form4_document(items, document="index.json") == "wf-form4_167106081927406.xml"
    assert filing_date_from_index(items) == date(2022, 12, 14)
    with pytest.raises(SourceError, match="no XML document"):
        pick_form4_document(items[:1], document="index.json")


def test_13f_documents_cover_and_information_table() -> None:
    items = parse_filing_index_json(
        _listing(
            ("primary_doc.xml", "2500", "2024-02-14 16:01:02"),
            ("46994.xml", "118000", "2024-02-14 16:01:02"),
            ("other.xml", "900", "2024-02-14 16:01:02"),
        ),
        document="index.json",
    )
    assert pick_13f_documents(items, document="index.json") == ("primary_doc.xml", "46994.xml")
    named = parse_filing_index_json(
        _listing(("primary_doc.xml", "2500", ""), ("form13fInfoTable.xml", "80", "")), document="index.json"
    )
    assert pick_13f_documents(named, document="index.json") == ("primary_doc.xml", "form13fInfoTable.xml")
    notice = parse_filing_index_json(_listing(("primary_doc.xml", "2500", "")), document="index.json")
    assert pick_13f_documents(notice, document="index.json") == ("primary_doc.xml", None)
    with pytest.raises(SourceError, match="primary_doc"):
        pick_13f_documents(items[1:], document="index.json")


def test_index_json_that_is_not_a_listing_raises() -> None:
    with pytest.raises(SourceError, match="directory.item"):
        parse_filing_index_json(b'{"error": "not found"}', document="index.json")
    with pytest.raises(SourceError, match="malformed JSON"):
        parse_filing_index_json(b'{"directory": {"item": [', document="index.json")


# ---------------------------------------------------------------- clients over the loopback server
def _feed_mirror(tmp_path: Path) -> Path:
    target = tmp_path / mirror_relpath(CURRENT_FEED_URL, current_feed_params("4", 0, 100))
    target.parent.mkdir(parents=True)
    target.write_bytes(fixture("getcurrent_atom_page0.xml"))
    index = tmp_path / mirror_relpath(daily_index_url(date(2020, 3, 18)))
    index.parent.mkdir(parents=True)
    index.write_bytes(fixture("daily-index_form.20200318.idx"))
    return tmp_path


def test_feed_client_rides_out_a_429_storm(tmp_path: Path) -> None:
    root = _feed_mirror(tmp_path)
    sleeps: list[float] = []
    with MirrorServer(root) as server:
        server.add_faults("browse-edgar", *(status(429, retry_after="2") for _ in range(3)))
        client = HttpClient(source_root=server.url, sleep=sleeps.append)
        rows = fetch_current_feed(client, "4")
        assert len(server.hits("browse-edgar")) == 4
    assert len(rows) == 100 and rows[0]["accession"] == "0002063236-25-000004"
    assert [s for s in sleeps if s == 2.0] == [2.0, 2.0, 2.0]  # Retry-After honoured each time


def test_daily_index_client_and_truncated_body(tmp_path: Path) -> None:
    root = _feed_mirror(tmp_path)
    with MirrorServer(root) as server:
        client = HttpClient(source_root=server.url, sleep=lambda s: None, max_retries=2)
        rows = fetch_daily_index(client, date(2020, 3, 18))
        assert len(rows) == 2076
        assert fetch_daily_index(client, date(2020, 3, 21)) == []  # Saturday: no request at all
        assert not server.hits("form.20200321")
        server.add_faults("form.20200318", truncate(), truncate(), truncate())
        with pytest.raises(FetchError, match="gave up after 3 attempts"):
            fetch_daily_index(client, date(2020, 3, 18))
        with pytest.raises(FetchError) as missing:
            fetch_daily_index(client, date(2020, 3, 19))
        assert missing.value.status == 404


def test_primary_document_url_reads_index_json(tmp_path: Path) -> None:
    url = filing_index_json_url(1640147, "0001640147-22-000218")
    path = tmp_path / mirror_relpath(url)
    path.parent.mkdir(parents=True)
    path.write_bytes(_listing(("R1.xml", "1", ""), ("doc4.xml", "5000", "2022-12-14 18:33:40")))
    with MirrorServer(tmp_path) as server:
        client = HttpClient(source_root=server.url, sleep=lambda s: None)
        assert primary_document_url(client, 1640147, "000164014722000218") == (
            "https://www.sec.gov/Archives/edgar/data/1640147/000164014722000218/doc4.xml"
        )
