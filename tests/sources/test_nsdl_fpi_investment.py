"""NSDL's FPI daily-trends page parsed from a hand-written page in the published layout (two dates, two asset
classes, routes, Sub-totals and Totals; thousands commas, parenthesised negatives, row-spanning date and class
cells on one date, every cell written out on the other). Oracle: the rows written out by hand below, and the
page's own Sub-total/Total figures (each checked by hand in the comments)."""

from __future__ import annotations

from datetime import date

import pytest

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.nsdl.fpi_investment import amount, parse_fpi_daily

HEADER = ("<tr><th>Reporting Date</th><th>Debt/Equity/Hybrid/MF</th><th>Investment Route</th>"
          "<th>Gross Purchases(Rs Crore)</th><th>Gross Sales(Rs Crore)</th><th>Net Investment (Rs Crore)</th>"
          "<th>Net Investment US($) million</th><th>Conversion rate</th></tr>")
# 28-Nov-2026, rowspans. Equity: 12,345.67 - 13,000.00 = -654.33; 1,500.00 - 250.50 = 1,249.50;
# Sub-total 13,845.67 / 13,250.50 / 595.17. Debt: 800.25 - 1,000.75 = -200.50, Sub-total the same.
# Total 13,845.67 + 800.25 = 14,645.92; 13,250.50 + 1,000.75 = 14,251.25; 595.17 - 200.50 = 394.67.
DAY_28 = """
<tr><td rowspan="7">28-Nov-2026</td><td rowspan="3">Equity</td><td>Stock Exchange</td>
    <td>12,345.67</td><td>13,000.00</td><td>(654.33)</td><td>(75.21)</td><td>87.0000</td></tr>
<tr><td>Primary market &amp; others</td><td>1,500.00</td><td>250.50</td><td>1,249.50</td><td>143.62</td><td>87.0000</td></tr>
<tr><td><b>Sub-total</b></td><td>13,845.67</td><td>13,250.50</td><td>595.17</td><td>68.41</td><td>87.0000</td></tr>
<tr><td rowspan="3">Debt-General Limit</td><td>Stock Exchange</td>
    <td>800.25</td><td>1,000.75</td><td>-200.50</td><td>-23.05</td><td>87.0000</td></tr>
<tr><td>Primary market &amp; others</td><td>0.00</td><td>0.00</td><td>0.00</td><td>0.00</td><td>87.0000</td></tr>
<tr><td>Sub-total</td><td>DEBT_SUBTOTAL_28</td><td>1,000.75</td><td>-200.50</td><td>-23.05</td><td>87.0000</td></tr>
<tr><td colspan="2"><b>Total</b></td><td>14,645.92</td><td>14,251.25</td><td>394.67</td><td>45.36</td><td>87.0000</td></tr>
"""
# 27-Nov-2026, every cell written. Equity: 10,000 - 9,000 = 1,000; 2,000 - 100 = 1,900; Sub-total 12,000 /
# 9,100 / 2,900. Debt: 500 - 700 = -200; 100 - 50 = 50; Sub-total 600 / 750 / -150.
# Total 12,600 / 9,850 / 2,750.
DAY_27 = """
<tr><td>27-Nov-2026</td><td>Equity</td><td>Stock Exchange</td><td>10,000.00</td><td>9,000.00</td><td>1,000.00</td><td>114.94</td><td>87.0000</td></tr>
<tr><td>27-Nov-2026</td><td>Equity</td><td>Primary market &amp; others</td><td>2,000.00</td><td>100.00</td><td>1,900.00</td><td>218.39</td><td>87.0000</td></tr>
<tr><td>27-Nov-2026</td><td>Equity</td><td>Sub-total</td><td>12,000.00</td><td>9,100.00</td><td>2,900.00</td><td>333.33</td><td>87.0000</td></tr>
<tr><td>27-Nov-2026</td><td>Debt-General Limit</td><td>Stock Exchange</td><td>500.00</td><td>700.00</td><td>(200.00)</td><td>(22.99)</td><td>87.0000</td></tr>
<tr><td>27-Nov-2026</td><td>Debt-General Limit</td><td>Primary market &amp; others</td><td>100.00</td><td>50.00</td><td>DEBT_PM_NET_27</td><td>5.75</td><td>87.0000</td></tr>
<tr><td>27-Nov-2026</td><td>Debt-General Limit</td><td>Sub-total</td><td>600.00</td><td>750.00</td><td>DEBT_SUB_NET_27</td><td>(17.24)</td><td>87.0000</td></tr>
<tr><td>27-Nov-2026</td><td>Total</td><td></td><td>12,600.00</td><td>9,850.00</td><td>TOTAL_NET_27</td><td>316.09</td><td>87.0000</td></tr>
"""
GOOD = {"DEBT_SUBTOTAL_28": "800.25", "DEBT_PM_NET_27": "50.00", "DEBT_SUB_NET_27": "(150.00)",
        "TOTAL_NET_27": "2,750.00"}
D28, D27 = date(2026, 11, 28), date(2026, 11, 27)
SE, PM, EQ, DEBT = "Stock Exchange", "Primary market & others", "Equity", "Debt-General Limit"
ROWS_27 = [
    (D27, EQ, SE, 10000.0, 9000.0, 1000.0, 114.94, 87.0),
    (D27, EQ, PM, 2000.0, 100.0, 1900.0, 218.39, 87.0),
    (D27, DEBT, SE, 500.0, 700.0, -200.0, -22.99, 87.0),
    (D27, DEBT, PM, 100.0, 50.0, 50.0, 5.75, 87.0),
]
ROWS_28 = [
    (D28, EQ, SE, 12345.67, 13000.0, -654.33, -75.21, 87.0),
    (D28, EQ, PM, 1500.0, 250.5, 1249.5, 143.62, 87.0),
    (D28, DEBT, SE, 800.25, 1000.75, -200.5, -23.05, 87.0),
    (D28, DEBT, PM, 0.0, 0.0, 0.0, 0.0, 87.0),
]
FIELDS = ("reporting_date", "asset_class", "route", "gross_purchases_cr", "gross_sales_cr", "net_investment_cr",
          "net_investment_usd_mn", "conversion_rate")


def page(**changes: str) -> bytes:
    body = f'<html><body><h3>Daily Trends in FPI Investment</h3><table>{HEADER}{DAY_28}{DAY_27}</table></body></html>'
    for marker, value in {**GOOD, **changes}.items():
        body = body.replace(marker, value)
    return body.encode()


def _tuples(rows: list[dict]) -> list[tuple]:
    return [tuple(row[f] for f in FIELDS) for row in rows]


def test_route_rows_of_both_dates_are_read_and_the_subtotals_and_totals_are_not_loaded() -> None:
    parsed = parse_fpi_daily(page(), document="Latest.aspx")
    assert parsed.errors == []
    assert _tuples(parsed.rows) == ROWS_27 + ROWS_28  # dates ascending, page order within a date


def test_a_subtotal_that_does_not_add_up_quarantines_its_date_and_the_other_date_lands() -> None:
    # the 28th's Debt Sub-total states purchases 810.25, its routes add to 800.25 + 0.00
    parsed = parse_fpi_daily(page(DEBT_SUBTOTAL_28="810.25"), document="Latest.aspx")
    assert _tuples(parsed.rows) == ROWS_27
    (error,) = parsed.errors
    assert (error.document, error.field) == ("Latest.aspx", "reporting date 2026-11-28")
    assert error.reason == ("Debt-General Limit sub-total: gross_purchases_cr of the rows sums to 800.25, "
                            "the page states 810.25")


def test_a_route_whose_net_is_not_purchases_minus_sales_is_rejected_alone() -> None:
    # the 27th's Debt primary-market net says 55.00 for 100.00 - 50.00; its Sub-total (-200 + 55 = -145) and
    # Total (1,000 + 1,900 - 200 + 55 = 2,755) are stated consistently, so only that row goes
    parsed = parse_fpi_daily(page(DEBT_PM_NET_27="55.00", DEBT_SUB_NET_27="(145.00)", TOTAL_NET_27="2,755.00"),
                             document="Latest.aspx")
    assert _tuples(parsed.rows) == ROWS_27[:3] + ROWS_28
    (error,) = parsed.errors
    assert error.field == "2026-11-27 Debt-General Limit / Primary market & others"
    assert error.reason == "net investment 55.0 is not gross purchases - gross sales (100.0 - 50.0)"


def test_a_total_that_does_not_add_up_quarantines_its_date() -> None:
    # Sub-totals agree with their routes, but the 27th's Total net says 2,760.00 for 2,900 - 150 = 2,750
    parsed = parse_fpi_daily(page(TOTAL_NET_27="2,760.00"), document="Latest.aspx")
    assert _tuples(parsed.rows) == ROWS_28
    assert [e.field for e in parsed.errors] == ["reporting date 2026-11-27"]
    assert "net_investment_cr of the rows sums to 2750.00, the page states 2760.00" in parsed.errors[0].reason


@pytest.mark.parametrize(("raw", "value"), [("1,234.56", 1234.56), ("-1,234.56", -1234.56),
                                            ("(1,234.56)", -1234.56), (" - ", None), ("0.00", 0.0)])
def test_amounts_as_nsdl_prints_them(raw, value) -> None:
    assert amount(raw) == value


def test_a_page_without_the_table_names_what_is_missing() -> None:
    with pytest.raises(SourceError, match="no table with a 'Reporting Date' header"):
        parse_fpi_daily(b"<html><body><p>Service unavailable</p></body></html>", document="Latest.aspx")
    broken = page().replace(b"Gross Sales(Rs Crore)", b"Sold")
    with pytest.raises(SourceError, match=r"lacks columns for \['gross_sales_cr'\]"):
        parse_fpi_daily(broken, document="Latest.aspx")
