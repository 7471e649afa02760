"""Tables of the valuation domain: company statements and NSE daily prices (raw), and the valuations and
their attribution (analytics)."""

from __future__ import annotations

from valuation_platform.warehouse.tables import TableSpec

# One figure of a screener.in export: long, so a missing item is a missing row and any line item fits.
INDIA_STATEMENTS = TableSpec(
    schema="raw",
    name="india_statements",
    columns={
        "nse_symbol": "text not null",
        "company_name": "text",
        "statement": "text not null",  # PROFIT_LOSS / QUARTERS / BALANCE_SHEET / CASH_FLOW / PRICE / DERIVED
        "period_end": "date not null",
        "line_item": "text not null",  # the export's own label ("Sales", "Net profit", "Borrowings", ...)
        "value": "double precision not null",  # Rs crore (shares: units, or crore for derived counts)
        "document": "text not null",
    },
    key=("nse_symbol", "statement", "period_end", "line_item"),
    indexes=(("nse_symbol", "period_end"),),
    comment="screener.in statement exports dropped into the India landing folder's statements/ area",
)

NSE_BHAVCOPY = TableSpec(
    schema="raw",
    name="nse_bhavcopy",
    columns={
        "trade_date": "date not null",
        "nse_symbol": "text not null",
        "series": "text not null",
        "isin": "text",
        "open": "double precision",
        "high": "double precision",
        "low": "double precision",
        "close": "double precision not null",
        "last": "double precision",
        "prev_close": "double precision",
        "volume": "bigint",
        "turnover": "double precision",  # Rs
        "trades": "bigint",
        "layout": "text not null",  # legacy / udiff
        "document": "text not null",
    },
    key=("trade_date", "nse_symbol", "series"),
    indexes=(("nse_symbol", "trade_date"),),
    comment="NSE equity bhavcopy rows (legacy cm*bhav.csv before 2024-07-08, UDiFF after)",
)
RAW_TABLES = (INDIA_STATEMENTS, NSE_BHAVCOPY)
