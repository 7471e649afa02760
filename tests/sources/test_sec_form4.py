"""Form 4 ownershipDocument parsing, amendments and the client, against the real Snowflake filing."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from tests.support.mirror_server import MirrorServer, body, status
from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.http import HttpClient, mirror_relpath
from valuation_platform.sources.sec.filing_index import filing_document_url, filing_index_json_url
from valuation_platform.sources.sec.form4 import ROW_KEYS, fetch_form4, parse_form4, prefer_amendments

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "sec"
ACCESSION = "0001640147-22-000218"
FILED = date(2022, 12, 14)


@pytest.fixture(scope="module")
def snow() -> bytes:
    path = FIXTURES / "form4_snow.xml"
    if not path.is_file():
        pytest.skip("shared fixture form4_snow.xml not available")
    return path.read_bytes()


def test_rows_of_the_real_filing(snow: bytes) -> None:
    rows = parse_form4(snow, accession=ACCESSION, filing_date=FILED)
    assert len(rows) == 15  # 6 non-derivative transactions, 8 holdings, 1 derivative transaction
    assert [r["row_number"] for r in rows] == list(range(15))
    assert all(tuple(r) == ROW_KEYS for r in rows)
    first = rows[0]
    assert (
        first["ticker"] == "SNOW"
        and first["issuer_cik"] == 1640147
        and first["issuer_name"] == "Snowflake Inc."
    )
    assert (first["insider_cik"], first["insider_name"]) == (1402349, "Scarpelli Michael")
    assert first["insider_title"] == "Chief Financial Officer"
    assert (first["is_officer"], first["is_director"], first["is_ten_percent_owner"]) == (True, False, False)
    assert first["period_of_report"] == date(2022, 12, 13) and first["filing_date"] == FILED
    assert (first["document_type"], first["is_amendment"]) == ("4", False)
    # the option exercise: 200,000 shares acquired at the $8.88 strike
    assert first["transaction_code"] == "M" and first["acquired_disposed"] == "A"
    assert (first["shares"], first["price_per_share"], first["total_value"]) == (200000.0, 8.88, 1776000.0)
    assert first["shares_owned_after"] == 301097.0 and first["direct_indirect"] == "D"
    assert first["transaction_date"] == date(2022, 12, 13)
    assert first["footnotes"] == {
        "F1": "Includes shares to be issued in connection with the vesting of one or more restricted stock "
        "units."
    }


def test_sales_with_weighted_average_price_footnotes(snow: bytes) -> None:
    rows = parse_form4(snow, accession=ACCESSION, filing_date=FILED)
    sales = [r for r in rows if r["transaction_code"] == "S"]
    assert [(r["shares"], r["price_per_share"], r["shares_owned_after"]) for r in sales] == [
        (73170.0, 150.841, 227927.0),
        (74907.0, 151.814, 153020.0),
        (41986.0, 152.655, 111034.0),
        (5496.0, 153.872, 105538.0),
        (4441.0, 154.76, 101097.0),
    ]
    assert sum(r["shares"] for r in sales) == 200000.0  # every exercised share was sold
    assert sales[0]["total_value"] == 11037035.97  # 73,170 x 150.841
    assert all(r["acquired_disposed"] == "D" for r in sales)
    assert list(sales[0]["footnotes"]) == ["F2", "F3"]
    assert sales[0]["footnotes"]["F3"].startswith(
        "The price reported in Column 4 is a weighted-average price."
    )
    assert "$150.300 to $151.295" in sales[0]["footnotes"]["F3"]


def test_indirect_holdings_and_the_derivative_row(snow: bytes) -> None:
    rows = parse_form4(snow, accession=ACCESSION, filing_date=FILED)
    holdings = [r for r in rows if r["record_type"] == "holding"]
    assert [r["shares_owned_after"] for r in holdings] == [577218, 178947, 9686, 2755, 9686, 2755, 9686, 2755]
    assert {(r["direct_indirect"], r["nature_of_ownership"]) for r in holdings} == {("I", "Trust")}
    assert all(r["shares"] is None and r["transaction_code"] is None for r in holdings)
    assert list(holdings[0]["footnotes"]) == ["F8"]
    option = rows[-1]
    assert option["is_derivative"] and option["security_title"] == "Stock Option (Right to Buy)"
    assert option["conversion_or_exercise_price"] == 8.88
    assert option["expiration_date"] == date(2029, 8, 26)
    assert option["exercise_date"] is None and list(option["footnotes"]) == [
        "F16"
    ]  # date given only as a note
    assert option["underlying_security_title"] == "Class A Common Stock"
    assert option["underlying_shares"] == 200000.0 and option["shares_owned_after"] == 2219299.0


def test_truncated_xml_names_the_accession(snow: bytes) -> None:
    with pytest.raises(SourceError) as error:
        parse_form4(snow[: len(snow) // 2], accession="000164014722000218")
    message = str(error.value)
    assert ACCESSION in message and "truncated XML" in message and "no element found" in message


def test_derivatives_only_filing(snow: bytes) -> None:
    xml = re.sub(rb"<nonDerivativeTable>.*</nonDerivativeTable>", b"", snow, flags=re.S)
    rows = parse_form4(xml, accession=ACCESSION, filing_date=FILED)
    assert len(rows) == 1 and rows[0]["is_derivative"] and rows[0]["row_number"] == 0
    assert rows[0]["shares"] == 200000.0


def _with_second_owner(snow: bytes) -> bytes:
    owner = re.search(rb"<reportingOwner>.*?</reportingOwner>", snow, flags=re.S).group(0)
    director = (
        owner.replace(b"0001402349", b"0001999999")
        .replace(b"Scarpelli Michael", b"Scarpelli Family Trust")
        .replace(b"<isDirector>0</isDirector>", b"<isDirector>1</isDirector>")
        .replace(b"<isOfficer>1</isOfficer>", b"<isOfficer>0</isOfficer>")
        .replace(b"<officerTitle>Chief Financial Officer</officerTitle>", b"")
    )
    return snow.replace(owner, owner + director)


def test_joint_filing_is_one_row_per_transaction(snow: bytes) -> None:
    single = parse_form4(snow, accession=ACCESSION, filing_date=FILED)
    joint = parse_form4(_with_second_owner(snow), accession=ACCESSION, filing_date=FILED)
    assert len(joint) == len(single) == 15  # not 30: the owners reported the same transactions
    row = joint[1]
    assert row["insider_cik"] == 1402349 and row["reporting_owner_ciks"] == [1402349, 1999999]
    assert row["insider_name"] == "Scarpelli Michael; Scarpelli Family Trust"
    assert row["insider_title"] == "Chief Financial Officer; Director"
    assert row["is_officer"] and row["is_director"] and row["n_reporting_owners"] == 2
    assert sum(r["shares"] for r in joint if r["transaction_code"] == "S") == 200000.0


def _amendment_of(snow: bytes) -> bytes:
    return (
        snow.replace(b"<documentType>4</documentType>", b"<documentType>4/A</documentType>")
        .replace(
            b"<notSubjectToSection16>",
            b"<dateOfOriginalSubmission>2022-12-14</dateOfOriginalSubmission><notSubjectToSection16>",
        )
        .replace(b"<value>73170</value>", b"<value>73180</value>")
    )


def test_amendment_supersedes_the_original(snow: bytes) -> None:
    original = parse_form4(snow, accession=ACCESSION, filing_date=FILED)
    amended = parse_form4(
        _amendment_of(snow), accession="0001640147-22-000230", filing_date=date(2022, 12, 20)
    )
    assert amended[0]["document_type"] == "4/A" and amended[0]["is_amendment"]
    assert amended[0]["date_of_original_submission"] == date(2022, 12, 14)
    other_period = [
        {**r, "accession": "0001640147-22-000100", "period_of_report": date(2022, 11, 1)} for r in original
    ]
    kept = prefer_amendments(original + amended + other_period)
    assert {r["accession"] for r in kept} == {"0001640147-22-000230", "0001640147-22-000100"}
    assert [r["shares"] for r in kept if r["accession"].endswith("230")][1] == 73180.0


def test_amendment_naming_another_date_leaves_the_original(snow: bytes) -> None:
    original = parse_form4(snow, accession=ACCESSION, filing_date=FILED)
    xml = _amendment_of(snow).replace(
        b"2022-12-14</dateOfOriginalSubmission>", b"2022-12-15</dateOfOriginalSubmission>"
    )
    amended = parse_form4(xml, accession="0001640147-22-000230", filing_date=date(2022, 12, 20))
    assert len(prefer_amendments(original + amended)) == 30


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        (b"<value>200000</value>", b"<value>2OO,OOO</value>", "transactionShares"),
        (b"<value>2022-12-13</value>", b"<value>13/12/2022</value>", "transactionDate"),
        (b"<issuerCik>0001640147</issuerCik>", b"", "issuer/issuerCik"),
        (b'<footnoteId id="F1"/>', b'<footnoteId id="F99"/>', "footnoteId"),
        (b"<documentType>4</documentType>", b"<documentType>13F-HR</documentType>", "documentType"),
    ],
)
def test_bad_fields_are_named(snow: bytes, old: bytes, new: bytes, field: str) -> None:
    with pytest.raises(SourceError) as error:
        parse_form4(snow.replace(old, new, 1), accession=ACCESSION)
    assert field in (error.value.field or "") and error.value.document == f"Form 4 {ACCESSION}"


def test_not_an_ownership_document() -> None:
    with pytest.raises(SourceError, match="expected <ownershipDocument>"):
        parse_form4(b"<informationTable/>", accession=ACCESSION)


# ---------------------------------------------------------------- client over the loopback server
def _mirror(root: Path, snow: bytes) -> None:
    listing = {
        "directory": {
            "item": [
                {
                    "last-modified": "2022-12-14 18:33:40",
                    "name": "wf-form4_167106081927406.xml",
                    "size": "11000",
                },
                {"last-modified": "2022-12-14 18:33:41", "name": "xslF345X04/", "type": "folder.gif"},
            ]
        }
    }
    for url, payload in (
        (filing_index_json_url(1640147, ACCESSION), json.dumps(listing).encode()),
        (filing_document_url(1640147, ACCESSION, "wf-form4_167106081927406.xml"), snow),
    ):
        path = root / mirror_relpath(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(payload)


def test_fetch_form4_through_a_429_storm(tmp_path: Path, snow: bytes) -> None:
    _mirror(tmp_path, snow)
    sleeps: list[float] = []
    with MirrorServer(tmp_path) as server:
        server.add_faults("index.json", status(429, retry_after="1"), status(429, retry_after="1"))
        server.add_faults("wf-form4", status(503), status(429, retry_after="3"))
        client = HttpClient(source_root=server.url, sleep=sleeps.append)
        rows = fetch_form4(client, 1640147, ACCESSION)
        assert len(server.hits("index.json")) == 3 and len(server.hits("wf-form4")) == 3
    assert len(rows) == 15 and rows[0]["filing_date"] == date(2022, 12, 14)  # from index.json timestamps
    assert sleeps.count(1.0) == 2 and 3.0 in sleeps


def test_fetch_form4_truncated_body_is_a_source_error(tmp_path: Path, snow: bytes) -> None:
    _mirror(tmp_path, snow)
    with MirrorServer(tmp_path) as server:
        server.add_faults("wf-form4", body(snow[:900]))
        client = HttpClient(source_root=server.url, sleep=lambda s: None)
        with pytest.raises(SourceError, match=f"Form 4 {ACCESSION}.*truncated XML"):
            fetch_form4(client, 1640147, ACCESSION, filing_date=FILED)
