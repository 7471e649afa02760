"""NSE symbol master parsers: EQUITY_L.csv (leading spaces in its header) and the index constituent lists,
on the real files (shared fixtures) and on hand-written rows."""

from __future__ import annotations

from datetime import date

import pytest

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.nse.equity_list import parse_equity_list, parse_index_constituents

# EQUITY_L as NSE ships it: every header cell after the second starts with a space.
HEADER = "SYMBOL,NAME OF COMPANY, SERIES, DATE OF LISTING, PAID UP VALUE, MARKET LOT, ISIN NUMBER, FACE VALUE\n"


def test_header_with_leading_spaces_maps_every_column() -> None:
    body = (HEADER + "ABB,ABB India Limited,EQ,08-FEB-1995,2,1,INE117A01022,2\n").encode()
    parsed = parse_equity_list(body, document="EQUITY_L.csv")
    assert parsed.errors == []
    assert parsed.rows == [{"symbol": "ABB", "company_name": "ABB India Limited", "series": "EQ",
                            "listing_date": date(1995, 2, 8), "paid_up_value": 2.0, "market_lot": 1,
                            "isin": "INE117A01022", "face_value": 2.0}]


def test_broken_rows_are_reported_by_line_and_the_rest_land() -> None:
    body = (HEADER
            + "ABB,ABB India Limited,EQ,08-FEB-1995,2,1,INE117A01022,2\n"
            + "BADISIN,Bad Isin Limited,EQ,08-FEB-1995,2,1,INE12,2\n"  # line 3: 5-character ISIN
            + ",No Symbol Limited,EQ,08-FEB-1995,2,1,INE117A01030,2\n"  # line 4: no symbol
            + "BADDATE,Bad Date Limited,EQ,31-FOO-1995,2,1,INE117A01048,2\n").encode()  # line 5
    parsed = parse_equity_list(body, document="EQUITY_L.csv")
    assert [r["symbol"] for r in parsed.rows] == ["ABB"]
    assert [(e.field, e.document) for e in parsed.errors] == [
        ("line 3", "EQUITY_L.csv"), ("line 4", "EQUITY_L.csv"), ("line 5", "EQUITY_L.csv")]
    assert "not an ISIN: 'INE12'" in parsed.errors[0].reason


def test_a_foreign_header_is_a_clear_error() -> None:
    with pytest.raises(SourceError, match="header lacks") as caught:
        parse_equity_list(b"Symbol,Close\nABB,100\n", document="wrong.csv")
    assert caught.value.document == "wrong.csv" and caught.value.field == "header"


def test_real_equity_list(shared_fixtures) -> None:
    payload = (shared_fixtures / "nse" / "EQUITY_L_first300.csv").read_bytes()
    assert payload.startswith(b"SYMBOL,NAME OF COMPANY, SERIES,")  # the leading spaces are really there
    parsed = parse_equity_list(payload, document="EQUITY_L_first300.csv")
    # 301 lines: the header and 300 securities (README: trimmed to the first 300); 278 of them series EQ
    # (grep -c ",EQ," on the file), the others BE, BZ, SM, ...
    assert parsed.errors == []
    assert len(parsed.rows) == 300
    assert sum(r["series"] == "EQ" for r in parsed.rows) == 278
    abb = next(r for r in parsed.rows if r["symbol"] == "ABB")  # line 24 of the file
    assert abb == {"symbol": "ABB", "company_name": "ABB India Limited", "series": "EQ",
                   "listing_date": date(1995, 2, 8), "paid_up_value": 2.0, "market_lot": 1,
                   "isin": "INE117A01022", "face_value": 2.0}
    assert parsed.rows[0]["symbol"] == "20MICRONS" and parsed.rows[-1]["symbol"] == "BIL"


def test_real_nifty50_constituents(shared_fixtures) -> None:
    payload = (shared_fixtures / "nse" / "ind_nifty50list.csv").read_bytes()
    parsed = parse_index_constituents(payload, document="ind_nifty50list.csv", index_name="NIFTY 50")
    assert parsed.errors == [] and len(parsed.rows) == 50
    reliance = next(r for r in parsed.rows if r["symbol"] == "RELIANCE")  # line 38 of the file
    assert reliance == {"index_name": "NIFTY 50", "symbol": "RELIANCE", "company_name": "Reliance Industries Ltd.",
                        "industry": "Oil Gas & Consumable Fuels", "series": "EQ", "isin": "INE002A01018"}
    assert {"TMPV", "ETERNAL", "INDIGO", "MAXHEALTH"} <= {r["symbol"] for r in parsed.rows}  # README: post Oct-2025
