"""screener.in exports: the real RELIANCE, TCS and HDFC Bank files, figures read off the files by eye."""

from datetime import date

import pytest

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.screener.statements import (
    BALANCE_SHEET,
    PRICE,
    PROFIT_LOSS,
    QUARTERS,
    parse_export,
    period_end,
    symbol_from_file_name,
)


def figure(parsed, statement, period, line):
    [value] = [r["value"] for r in parsed.rows
               if (r["statement"], r["period_end"], r["line_item"]) == (statement, period, line)]
    return value


@pytest.fixture
def screener(shared_fixtures):
    return shared_fixtures / "screener"


def test_reliance_workbook(screener):
    parsed = parse_export((screener / "Reliance_Data.xlsx").read_bytes(), file_name="Reliance_Data.xlsx",
                          document="statements/RELIANCE.xlsx")
    assert parsed.company_name == "RELIANCE INDUSTRIES LTD" and not parsed.errors
    assert figure(parsed, PROFIT_LOSS, date(2024, 3, 31), "Sales") == 901064
    assert figure(parsed, PROFIT_LOSS, date(2021, 3, 31), "Net profit") == 49128
    assert figure(parsed, BALANCE_SHEET, date(2024, 3, 31), "Borrowings") == 346142
    assert figure(parsed, BALANCE_SHEET, date(2015, 3, 31), "Cash & Bank") == 12545
    assert figure(parsed, QUARTERS, date(2021, 12, 31), "Sales") == 185027
    assert figure(parsed, PRICE, date(2024, 3, 31), "Price") == 2971.7
    # A blank cell is a missing item, not a zero: FY24 has no "Power and Fuel".
    assert not [r for r in parsed.rows if r["line_item"] == "Power and Fuel" and r["period_end"] == date(2024, 3, 31)]


def test_tcs_and_hdfc_bank_workbooks(screener):
    tcs = parse_export((screener / "screener_TCS.xlsx").read_bytes(), file_name="TCS.xlsx", document="TCS.xlsx")
    assert tcs.company_name == "TATA CONSULTANCY SERVICES LTD"
    assert figure(tcs, PROFIT_LOSS, date(2026, 3, 31), "Sales") == 267021
    assert figure(tcs, PROFIT_LOSS, date(2020, 3, 31), "Net profit") == 32340
    bank = parse_export((screener / "screener_HDFC_Bank.xlsx").read_bytes(), file_name="HDFCBANK.xlsx",
                        document="HDFCBANK.xlsx")
    assert bank.company_name == "HDFC BANK LTD"
    assert figure(bank, PROFIT_LOSS, date(2024, 3, 31), "Net profit") == 64062.04
    assert figure(bank, BALANCE_SHEET, date(2024, 3, 31), "Reserves") == 455635.56
    assert figure(bank, "DERIVED", date(2024, 3, 31), "Adjusted Equity Shares in Cr") == 759.69


def test_reliance_csv_with_excel_mangled_year_headers(screener):
    parsed = parse_export((screener / "Reliance_Profit_Loss.csv").read_bytes(),
                          file_name="Reliance_Profit_Loss.csv", document="statements/Reliance_Profit_Loss.csv")
    assert figure(parsed, PROFIT_LOSS, date(2015, 3, 31), "Sales") == 374372.0  # "374,372.00" under "15-Mar"
    assert figure(parsed, PROFIT_LOSS, date(2024, 3, 31), "Net profit") == 69621.0
    assert figure(parsed, PROFIT_LOSS, date(2015, 3, 31), "OPM") == 10.0  # "10.00%"
    bs = parse_export((screener / "Reliance_Balance_Sheet.csv").read_bytes(),
                      file_name="Reliance_Balance_Sheet.csv", document="bs")
    assert {r["statement"] for r in bs.rows} == {BALANCE_SHEET}
    assert symbol_from_file_name("Reliance_Profit_Loss.csv") == "RELIANCE"


def test_headers_and_bad_cells():
    assert period_end("15-Mar") == date(2015, 3, 31)
    assert period_end("Mar-24") == date(2024, 3, 31)
    assert period_end("Dec 2023") == date(2023, 12, 31)
    assert period_end("Narration") is None
    payload = b'Narration,23-Mar,24-Mar\nSales,"1,000.00",n/a\nNet profit,100,\n'
    parsed = parse_export(payload, file_name="X_Profit_Loss.csv", document="d")
    assert [(r["line_item"], r["value"]) for r in parsed.rows] == [("Sales", 1000.0), ("Net profit", 100.0)]
    [error] = parsed.errors
    assert error.field == "PROFIT_LOSS.Sales.2024-03-31" and "n/a" in error.reason
    with pytest.raises(SourceError):
        parse_export(b"not,a,statement\n", file_name="X_Profit_Loss.csv", document="d")
    with pytest.raises(SourceError):
        parse_export(b"PK\x03\x04 broken", file_name="X.xlsx", document="d")
