"""13F information tables, cover pages, amendments and the quarterly data sets."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest

from tests.support.mirror_server import MirrorServer, body, status
from valuation_platform.generator.ownership import write_ownership_data
from valuation_platform.generator.universe import us_companies
from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.sec.form13f import (
    COVER_SCHEMA,
    HOLDING_SCHEMA,
    combine_13f_amendments,
    dataset_period_label,
    dataset_url,
    effective_accessions,
    fetch_13f_dataset,
    fetch_13f_filing,
    parse_13f_cover,
    parse_13f_dataset,
    parse_13f_infotable,
    value_unit,
)

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "sec"
ACC = "0001234567-22-000001"


@pytest.fixture(scope="module")
def infotable() -> bytes:
    path = FIXTURES / "13f_infotable.xml"
    if not path.is_file():
        pytest.skip("shared fixture 13f_infotable.xml not available")
    return path.read_bytes()


def _table(xml: bytes, filed: date) -> list[dict]:
    return parse_13f_infotable(
        xml, accession=ACC, filer_cik=1234567, report_period=date(2021, 12, 31), filing_date=filed
    )


# ---------------------------------------------------------------- real information table
def test_real_information_table(infotable: bytes) -> None:
    rows = _table(infotable, date(2023, 2, 14))
    assert len(rows) == 255
    assert rows[0] == {
        "filer_cik": 1234567,
        "accession": ACC,
        "report_period": date(2021, 12, 31),
        "filing_date": date(2023, 2, 14),
        "row_number": 0,
        "cusip": "88579Y101",
        "issuer_name": "3M CO",
        "title_of_class": "COM",
        "figi": None,
        "value_reported": 409469,
        "value_usd": 409469,
        "value_unit": "dollars",
        "shares": 2334,
        "share_type": "SH",
        "put_call": None,
        "investment_discretion": "SOLE",
        "other_manager": None,
        "voting_sole": 0,
        "voting_shared": 0,
        "voting_none": 2334,
    }
    accenture = rows[3]
    assert (
        accenture["cusip"],
        accenture["title_of_class"],
        accenture["shares"],
        accenture["value_reported"],
    ) == (
        "G1151C101",
        "SHS CLASS A",
        989,
        316444,
    )
    assert rows[-1]["issuer_name"] == "ZOOM VIDEO COMMUNICATIONS IN" and rows[-1]["shares"] == 824
    assert sum(r["value_reported"] for r in rows) == 350153407
    assert sum(r["shares"] for r in rows) == 4094437
    bonds = [r for r in rows if r["share_type"] == "PRN"]
    assert [(r["cusip"], r["shares"]) for r in bonds] == [
        ("46435UAA9", 16480),
        ("46435GAA0", 14800),
        ("46434VAX8", 14362),
    ]


def test_value_unit_follows_the_filing_date(infotable: bytes) -> None:
    assert value_unit(date(2023, 1, 2)) == "thousands" and value_unit(date(2023, 1, 3)) == "dollars"
    before = _table(infotable, date(2022, 2, 14))
    assert before[0]["value_unit"] == "thousands" and before[0]["value_usd"] == 409_469_000
    # The file's values read as whole dollars (409,469 / 2,334 = ~$175 a 3M share). Filed before 2023-01-03
    # the rule still multiplies by 1,000 (it does not guess); the implied price exposes such filers.
    assert round(before[0]["value_usd"] / before[0]["shares"]) == 175_437


def test_namespace_prefixes_and_options() -> None:
    xml = (
        b'<?xml version="1.0"?><ns1:informationTable xmlns:ns1="http://www.sec.gov/edgar/document/thirteenf/'
        b'informationtable"><ns1:infoTable><ns1:nameOfIssuer>APPLE INC</ns1:nameOfIssuer>'
        b"<ns1:titleOfClass>COM</ns1:titleOfClass><ns1:cusip>037833100</ns1:cusip><ns1:value>1,250</ns1:value>"
        b"<ns1:shrsOrPrnAmt><ns1:sshPrnamt>500</ns1:sshPrnamt><ns1:sshPrnamtType>SH</ns1:sshPrnamtType>"
        b"</ns1:shrsOrPrnAmt><ns1:putCall>Put</ns1:putCall><ns1:investmentDiscretion>DFND"
        b"</ns1:investmentDiscretion><ns1:otherManager>2</ns1:otherManager><ns1:votingAuthority><ns1:Sole>0"
        b"</ns1:Sole><ns1:Shared>500</ns1:Shared><ns1:None>0</ns1:None></ns1:votingAuthority></ns1:infoTable>"
        b"</ns1:informationTable>"
    )
    [row] = _table(xml, date(2020, 5, 15))
    assert (row["put_call"], row["shares"], row["value_usd"], row["other_manager"]) == (
        "PUT",
        500,
        1_250_000,
        "2",
    )
    assert (row["investment_discretion"], row["voting_shared"]) == ("DFND", 500)


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        (b"<value>409469</value>", b"<value>n/a</value>", "infoTable[0]/value"),
        (b"<sshPrnamt>2334</sshPrnamt>", b"<sshPrnamt>2334.5</sshPrnamt>", "infoTable[0]/sshPrnamt"),
        (
            b"<sshPrnamtType>SH</sshPrnamtType>",
            b"<sshPrnamtType>UNIT</sshPrnamtType>",
            "infoTable[0]/sshPrnamtType",
        ),
        (b"<cusip>88579Y101</cusip>", b"<cusip> </cusip>", "infoTable[0]/cusip"),
    ],
)
def test_bad_information_table_fields(infotable: bytes, old: bytes, new: bytes, field: str) -> None:
    with pytest.raises(SourceError) as error:
        _table(infotable.replace(old, new, 1), date(2023, 2, 14))
    assert error.value.field == field


def test_truncated_information_table(infotable: bytes) -> None:
    with pytest.raises(SourceError, match=f"13F information table {ACC}.*truncated XML"):
        _table(infotable[:5000], date(2023, 2, 14))


# ---------------------------------------------------------------- cover page
COVER = b"""<?xml version="1.0" encoding="UTF-8"?>
<edgarSubmission xmlns="http://www.sec.gov/edgar/thirteenffiler" xmlns:com="http://www.sec.gov/edgar/common">
  <headerData>
    <submissionType>13F-HR/A</submissionType>
    <filerInfo><liveTestFlag>LIVE</liveTestFlag>
      <filer><credentials><cik>0001067983</cik><ccc>XXXXXXXX</ccc></credentials></filer>
      <periodOfReport>12-31-2023</periodOfReport></filerInfo>
  </headerData>
  <formData>
    <coverPage>
      <reportCalendarOrQuarter>12-31-2023</reportCalendarOrQuarter>
      <isAmendment>true</isAmendment><amendmentNo>2</amendmentNo>
      <amendmentInfo><amendmentType>RESTATEMENT</amendmentType></amendmentInfo>
      <filingManager><name>BERKSHIRE HATHAWAY INC</name>
        <address><com:street1>3555 Farnam Street</com:street1><com:city>Omaha</com:city></address>
      </filingManager>
      <reportType>13F HOLDINGS REPORT</reportType>
      <form13FFileNumber>028-04545</form13FFileNumber>
    </coverPage>
    <signatureBlock><name>Marc D. Hamburg</name><signatureDate>02-14-2024</signatureDate></signatureBlock>
    <summaryPage><otherIncludedManagersCount>14</otherIncludedManagersCount>
      <tableEntryTotal>121</tableEntryTotal><tableValueTotal>347358074461</tableValueTotal>
      <isConfidentialOmitted>false</isConfidentialOmitted></summaryPage>
  </formData>
</edgarSubmission>
"""


def test_cover_page() -> None:
    cover = parse_13f_cover(COVER, accession="0000950123-24-002518", filing_date=date(2024, 2, 14))
    assert cover == {
        "accession": "0000950123-24-002518",
        "filer_cik": 1067983,
        "filer_name": "BERKSHIRE HATHAWAY INC",
        "submission_type": "13F-HR/A",
        "report_period": date(2023, 12, 31),
        "filing_date": date(2024, 2, 14),
        "is_amendment": True,
        "amendment_no": 2,
        "amendment_type": "RESTATEMENT",
        "report_type": "13F HOLDINGS REPORT",
        "form13f_file_number": "028-04545",
        "table_entry_total": 121,
        "table_value_total": 347358074461,
        "is_confidential_omitted": False,
        "signature_date": date(2024, 2, 14),
    }
    new_holdings = COVER.replace(b"RESTATEMENT", b"New Holdings")
    assert parse_13f_cover(new_holdings, accession="0000950123-24-002519")["amendment_type"] == "NEW HOLDINGS"
    with pytest.raises(SourceError, match="amendment type"):
        parse_13f_cover(COVER.replace(b"RESTATEMENT", b"OTHER"), accession="0000950123-24-002519")
    with pytest.raises(SourceError, match="not a date"):
        parse_13f_cover(COVER.replace(b"12-31-2023</report", b"2023/12/31</report"), accession=ACC)


# ---------------------------------------------------------------- amendments
def _cover(acc: str, filed: date, amendment: str | None = None, cik: int = 1, form: str = "13F-HR") -> dict:
    return {
        "accession": acc,
        "filer_cik": cik,
        "report_period": date(2023, 12, 31),
        "filing_date": filed,
        "is_amendment": amendment is not None,
        "amendment_type": amendment,
        "amendment_no": None,
        "submission_type": form if amendment is None else "13F-HR/A",
    }


def _holding(acc: str, cusip: str, shares: int) -> dict:
    return {"accession": acc, "cusip": cusip, "shares": shares}


def test_restatement_replaces_and_new_holdings_adds() -> None:
    covers = [
        _cover("A-orig", date(2024, 2, 10)),
        _cover("A-new", date(2024, 2, 20), "NEW HOLDINGS"),
        _cover("B-orig", date(2024, 2, 12), cik=2),
        _cover("B-new", date(2024, 2, 13), "NEW HOLDINGS", cik=2),
        _cover("B-restated", date(2024, 3, 1), "RESTATEMENT", cik=2),
        _cover("C-notice", date(2024, 2, 14), cik=3, form="13F-NT"),
    ]
    assert effective_accessions(covers) == {"A-orig", "A-new", "B-restated"}
    holdings = [
        _holding("A-orig", "X", 100),
        _holding("A-new", "Y", 50),
        _holding("B-orig", "X", 10),
        _holding("B-new", "Z", 5),
        _holding("B-restated", "X", 12),
    ]
    kept = combine_13f_amendments(covers, holdings)
    assert [(h["accession"], h["shares"]) for h in kept] == [
        ("A-orig", 100),
        ("A-new", 50),
        ("B-restated", 12),
    ]
    frame = combine_13f_amendments(pl.DataFrame(covers), pl.DataFrame(holdings))
    assert isinstance(frame, pl.DataFrame)
    assert frame.get_column("shares").sum() == 162


# ---------------------------------------------------------------- quarterly data sets
def _zip(tables: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in tables.items():
            archive.writestr(f"2022q4_form13f/{name}.tsv", text)
    return buffer.getvalue()


SUBMISSION = (
    "ACCESSION_NUMBER\tFILING_DATE\tSUBMISSIONTYPE\tCIK\tPERIODOFREPORT\n"
    "0000000001-22-000001\t14-NOV-2022\t13F-HR\t0000000001\t30-SEP-2022\n"
    "0000000001-23-000001\t10-JAN-2023\t13F-HR/A\t0000000001\t30-SEP-2022\n"
)
COVERPAGE = (
    "ACCESSION_NUMBER\tREPORTCALENDARORQUARTER\tISAMENDMENT\tAMENDMENTNO\tAMENDMENTTYPE\tFILINGMANAGER_NAME\t"
    "REPORTTYPE\tFORM13FFILENUMBER\n"
    "0000000001-22-000001\t30-SEP-2022\tN\t\t\tALPHA LLC\t13F HOLDINGS REPORT\t028-1\n"
    "0000000001-23-000001\t30-SEP-2022\tY\t1\tNEW HOLDINGS\tALPHA LLC\t13F HOLDINGS REPORT\t028-1\n"
)
INFOTABLE = (
    "ACCESSION_NUMBER\tINFOTABLE_SK\tNAMEOFISSUER\tTITLEOFCLASS\tCUSIP\tFIGI\tVALUE\tSSHPRNAMT\tSSHPRNAMTTYPE\t"
    "PUTCALL\tINVESTMENTDISCRETION\tOTHERMANAGER\tVOTING_AUTH_SOLE\tVOTING_AUTH_SHARED\tVOTING_AUTH_NONE\n"
    "0000000001-22-000001\t1\tAPPLE INC\tCOM\t037833100\t\t1380\t10000\tSH\t\tSOLE\t\t10000\t0\t0\n"
    "0000000001-22-000001\t2\tAPPLE INC\tCOM\t037833100\t\t40\t300\tSH\tCALL\tSOLE\t\t300\t0\t0\n"
    "0000000001-23-000001\t3\tMICROSOFT CORP\tCOM\t594918104\t\t239000\t1000\tSH\t\tSOLE\t\t1000\t0\t0\n"
)


def test_dataset_joins_and_applies_the_unit_rule() -> None:
    data = parse_13f_dataset(_zip({"SUBMISSION": SUBMISSION, "COVERPAGE": COVERPAGE, "INFOTABLE": INFOTABLE}))
    assert data.warnings == []
    assert data.covers.schema == pl.Schema(COVER_SCHEMA) and data.holdings.schema == pl.Schema(HOLDING_SCHEMA)
    assert data.covers.select("accession", "is_amendment", "amendment_type").rows() == [
        ("0000000001-22-000001", False, None),
        ("0000000001-23-000001", True, "NEW HOLDINGS"),
    ]
    holdings = data.holdings
    assert holdings.select(
        "cusip", "put_call", "value_reported", "value_usd", "value_unit", "row_number"
    ).rows() == [
        ("037833100", None, 1380, 1_380_000, "thousands", 0),  # filed 2022-11-14
        ("037833100", "CALL", 40, 40_000, "thousands", 1),
        ("594918104", None, 239000, 239_000, "dollars", 0),  # filed 2023-01-10
    ]
    assert holdings.get_column("report_period").unique().to_list() == [date(2022, 9, 30)]
    assert holdings.get_column("filer_cik").unique().to_list() == [1]
    assert combine_13f_amendments(data.covers, holdings).height == 3


def test_dataset_unknown_and_missing_columns() -> None:
    extra = INFOTABLE.replace("VOTING_AUTH_NONE\n", "VOTING_AUTH_NONE\tNEWCOLUMN\n").replace(
        "\t0\t0\n", "\t0\t0\tx\n"
    )
    data = parse_13f_dataset(_zip({"SUBMISSION": SUBMISSION, "COVERPAGE": COVERPAGE, "INFOTABLE": extra}))
    assert data.warnings == ["INFOTABLE.tsv: unknown column(s) ['NEWCOLUMN'] ignored"]
    assert data.holdings.get_column("shares").to_list() == [10000, 300, 1000]  # still read by name
    with pytest.raises(SourceError, match="unknown column"):
        parse_13f_dataset(
            _zip({"SUBMISSION": SUBMISSION, "COVERPAGE": COVERPAGE, "INFOTABLE": extra}), strict=True
        )
    missing = INFOTABLE.replace("\tSSHPRNAMT\t", "\tSHARES\t")
    with pytest.raises(SourceError) as error:
        parse_13f_dataset(_zip({"SUBMISSION": SUBMISSION, "COVERPAGE": COVERPAGE, "INFOTABLE": missing}))
    assert "['SSHPRNAMT'] missing" in str(error.value) and error.value.field == "INFOTABLE"


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        ({"SUBMISSION": SUBMISSION, "INFOTABLE": INFOTABLE}, "no COVERPAGE.tsv"),
        (
            {
                "SUBMISSION": SUBMISSION.splitlines(True)[0] + SUBMISSION.splitlines(True)[1],
                "COVERPAGE": COVERPAGE,
                "INFOTABLE": INFOTABLE,
            },
            "not in SUBMISSION",
        ),
        (
            {
                "SUBMISSION": SUBMISSION,
                "COVERPAGE": COVERPAGE,
                "INFOTABLE": INFOTABLE.replace("\t1380\t", "\t1.380,5\t"),
            },
            "INFOTABLE.VALUE",
        ),
        (
            {
                "SUBMISSION": SUBMISSION.replace("14-NOV-2022", "2022-11-14"),
                "COVERPAGE": COVERPAGE,
                "INFOTABLE": INFOTABLE,
            },
            "SUBMISSION.FILING_DATE",
        ),
        (
            {
                "SUBMISSION": SUBMISSION,
                "COVERPAGE": COVERPAGE,
                "INFOTABLE": INFOTABLE.replace("\tCALL\t", "\tSWAP\t"),
            },
            "INFOTABLE.PUTCALL",
        ),
    ],
)
def test_dataset_problems_raise(tables: dict[str, str], message: str) -> None:
    with pytest.raises(SourceError, match=message):
        parse_13f_dataset(_zip(tables))


def test_dataset_not_a_zip() -> None:
    with pytest.raises(SourceError, match="not a zip"):
        parse_13f_dataset(b"<html>rate limited</html>")


def test_dataset_with_the_real_headers() -> None:
    folder = FIXTURES / "13f_dataset_headers"
    if not folder.is_dir():
        pytest.skip("shared 13F data set headers not available")
    tables = {
        name: (folder / f"{name}.synthetic.tsv").read_text()
        for name in ("SUBMISSION", "COVERPAGE", "INFOTABLE")
    }
    data = parse_13f_dataset(_zip(tables))
    assert data.warnings == []  # every real column is known
    assert data.covers.height == 4 and data.holdings.height == 6
    notice = data.covers.filter(pl.col("submission_type") == "13F-NT")
    assert notice.get_column("report_type").to_list() == ["13F NOTICE"]
    tesla = data.holdings.filter(pl.col("cusip") == "88160R101").row(0, named=True)
    assert (tesla["shares"], tesla["voting_shared"], tesla["value_usd"], tesla["figi"]) == (
        600000,
        600000,
        150_000_000,
        "BBG000N9MNX3",
    )


def test_dataset_labels_and_urls() -> None:
    assert dataset_period_label(date(2023, 12, 1), date(2024, 2, 29)) == "01dec2023-29feb2024"
    assert dataset_url("01dec2023-29feb2024") == (
        "https://www.sec.gov/files/structureddata/data/form-13f-data-sets/01dec2023-29feb2024_form13f.zip"
    )
    assert dataset_url("2023q4").endswith("/2023q4_form13f.zip")
    with pytest.raises(ValueError):
        dataset_url("../../etc/passwd")


# ---------------------------------------------------------------- clients over the loopback server
@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    root = tmp_path_factory.mktemp("mirror13f")
    result = write_ownership_data(root, us_companies(10), date(2024, 1, 2), date(2024, 2, 29), n_filers=3)
    return root, result


def test_fetch_13f_filing_through_a_429_storm(mirror: tuple[Path, object]) -> None:
    root, result = mirror
    filing = next(f for f in result.form13f if f["amendment_type"] == "RESTATEMENT")
    sleeps: list[float] = []
    with MirrorServer(root) as server:
        server.add_faults(filing["infotable"], *(status(429, retry_after="1") for _ in range(4)))
        client = HttpClient(source_root=server.url, sleep=sleeps.append)
        out = fetch_13f_filing(client, filing["filer_cik"], filing["accession"])
        assert len(server.hits(filing["infotable"])) == 5
    assert sleeps.count(1.0) == 4
    cover, holdings = out["cover"], out["holdings"]
    assert (cover["amendment_type"], cover["filing_date"]) == ("RESTATEMENT", filing["filing_date"])
    assert len(holdings) == cover["table_entry_total"] == filing["n_rows"]
    assert sum(h["value_reported"] for h in holdings) == cover["table_value_total"]


def test_fetch_13f_truncated_table_and_dataset(mirror: tuple[Path, object]) -> None:
    root, result = mirror
    filing = result.form13f[0]
    table = (root / "www.sec.gov/Archives/edgar/data" / str(filing["filer_cik"])).rglob(filing["infotable"])
    payload = next(iter(table)).read_bytes()
    with MirrorServer(root) as server:
        client = HttpClient(source_root=server.url, sleep=lambda s: None)
        server.add_faults(filing["infotable"], body(payload[: len(payload) // 2]))
        with pytest.raises(SourceError, match="truncated XML"):
            fetch_13f_filing(client, filing["filer_cik"], filing["accession"])
        data = fetch_13f_dataset(client, result.dataset_label)
    first, last = (datetime.strptime(part, "%d%b%Y").date() for part in result.dataset_label.split("-"))
    expected = {f["accession"] for f in result.form13f if first <= f["filing_date"] <= last}
    assert set(data.covers.get_column("accession")) == expected
    assert set(data.holdings.get_column("accession")) == expected
