"""Classification workbook parser: xlsx and CSV give the same rows; header search; flags; bad cells."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook

from valuation_platform.generator.india import classification_csv, classification_xlsx, india_companies
from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.india.classification import parse_classification

ROW_KEYS = [
    "nse_symbol",
    "bse_code",
    "accord_code",
    "name",
    "cd_sector",
    "cd_industry",
    "market_cap",
    "is_investable",
    "has_financials",
    "has_price_history",
    "has_shareholding",
    "dq_score",
    "dq_remarks",
    "source_row",
]


@pytest.fixture(scope="module")
def generated():
    return india_companies(300, 90, seed=8)


def test_xlsx_and_csv_parse_to_the_same_rows(generated):
    as_of = date(2025, 3, 31)
    from_xlsx = parse_classification(classification_xlsx(generated, as_of=as_of), document="gem.xlsx")
    from_csv = parse_classification(classification_csv(generated, as_of=as_of), document="gem.csv")
    assert from_xlsx == from_csv
    assert len(from_csv) == 300 and list(from_csv[0]) == ROW_KEYS
    assert sum(r["is_investable"] for r in from_csv) == 90
    first = from_csv[0]
    assert (first["nse_symbol"], first["bse_code"], first["name"], first["market_cap"]) == (
        "RELIANCE",
        "500325",
        "Reliance Industries Ltd.",
        1_900_000.0,
    )
    assert first["dq_score"] == 1.0 and first["source_row"] == 4  # title, blank, header, then data
    # Excel stores codes as numbers; they come back as the same text the CSV has.
    assert all(r["accord_code"] is None or r["accord_code"].isdigit() for r in from_xlsx)


def test_awkward_rows_survive_parsing(generated):
    rows = parse_classification(classification_csv(generated, as_of=date(2025, 3, 31)), document="gem.csv")
    assert sum(1 for r in rows if r["is_investable"] and not r["nse_symbol"] and not r["accord_code"]) == 12
    assert any(r["market_cap"] is None for r in rows)
    symbols = [r["nse_symbol"] for r in rows if r["nse_symbol"]]
    assert len(symbols) - len(set(symbols)) == 1
    partial = [r for r in rows if r["dq_score"] < 1.0]
    assert partial and all(r["dq_remarks"] for r in partial)


def _csv(text: str) -> bytes:
    return text.encode()


def test_header_aliases_flags_and_defaults():
    payload = _csv(
        "Symbol,Company,Sector,Industry,MCAP (Rs Cr),Financials,Price Data\n"
        'abc,Abc Ltd,Financials,Bank - Private,"1,234.5",Yes,no\n'
        ",Def Ltd,Textiles,Textile,,,\n"
    )
    rows = parse_classification(payload, document="alt.csv")
    assert rows[0]["nse_symbol"] == "ABC" and rows[0]["market_cap"] == 1234.5
    assert rows[0]["is_investable"] is True  # no Investable column: every company counts
    assert (rows[0]["has_financials"], rows[0]["has_price_history"], rows[0]["has_shareholding"]) == (
        True,
        False,
        None,
    )
    assert rows[0]["dq_score"] == 0.5
    assert rows[1]["nse_symbol"] is None and rows[1]["market_cap"] is None and rows[1]["dq_score"] == 1.0


def test_workbook_header_on_a_later_sheet():
    book = Workbook()
    book.active.title = "Notes"
    book.active.append(["nothing here"])
    sheet = book.create_sheet("Data")
    sheet.append(
        ["NSE Symbol", "Accord Code", "Company Name", "cd_sector", "cd_industry", "Market Cap (Rs Cr)"]
    )
    sheet.append(["XYZ", 123456.0, "Xyz Ltd", "Utilities", "Power - Renewable", 5000])
    buffer = io.BytesIO()
    book.save(buffer)
    [row] = parse_classification(buffer.getvalue(), document="book.xlsx")
    assert (row["nse_symbol"], row["accord_code"], row["market_cap"], row["source_row"]) == (
        "XYZ",
        "123456",
        5000.0,
        2,
    )


@pytest.mark.parametrize(
    ("payload", "message", "field"),
    [
        (b"NSE Symbol,Company Name,cd_sector\nA,B,C\n", "no header", None),
        (
            b"NSE Symbol,Company Name,cd_sector,cd_industry,Investable\nA,B,C,D,maybe\n",
            "Y/N",
            "row 2 investable",
        ),
        (
            b"NSE Symbol,Company Name,cd_sector,cd_industry,Market Cap\nA,B,C,D,12cr\n",
            "not a number",
            "row 2 market_cap",
        ),
        (b"NSE Symbol,Company Name,cd_sector,cd_industry\nA,,C,D\n", "without a name", "row 2 name"),
        (b"PK\x03\x04 not really a zip", "unreadable workbook", None),
    ],
)
def test_bad_files(payload, message, field):
    with pytest.raises(SourceError, match=message) as err:
        parse_classification(payload, document="bad")
    assert err.value.field == field
