"""Raw tables of the trading domain's NSE reference, event, flow and deal loads.

Daily documents (a day's calendar, insider export, deals) land with ``request_date``, the session they were
asked for (= the partition); deals and insider rows are replaced per requested day (a re-run rewrites the
day, what NSE no longer lists disappears). Calendar events and flows are upserted on their natural key:
the same event is listed again on later days, and the flows API answers the latest session only.
"""

from __future__ import annotations

from valuation_platform.warehouse.tables import TableSpec

NSE_EQUITY_LIST = TableSpec(
    schema="raw",
    name="nse_equity_list",
    columns={
        "symbol": "text not null",
        "company_name": "text",
        "series": "text not null",
        "listing_date": "date",
        "paid_up_value": "double precision",
        "market_lot": "integer",
        "isin": "text not null",
        "face_value": "double precision",
    },
    key=("symbol",),
    comment="NSE EQUITY_L.csv: every listed equity (latest snapshot; delisted symbols leave)",
)

NSE_INDEX_CONSTITUENTS = TableSpec(
    schema="raw",
    name="nse_index_constituents",
    columns={
        "index_name": "text not null",
        "symbol": "text not null",
        "company_name": "text",
        "industry": "text",
        "series": "text",
        "isin": "text not null",
    },
    key=("index_name", "symbol"),
    comment="NSE Indices constituent lists (ind_<index>list.csv), replaced per index on every load",
)

NSE_CORPORATE_EVENTS = TableSpec(
    schema="raw",
    name="nse_corporate_events",
    columns={
        "symbol": "text not null",
        "event_type": "text not null",  # BOARD_MEETING | FINANCIAL_RESULTS | CORPORATE_ACTION
        "event_date": "date not null",
        "purpose": "text not null",
        "company_name": "text",
        "isin": "text",
        "announced_at": "timestamp",  # Asia/Kolkata wall time, as NSE prints it
        "record_date": "date",
        "reference": "text",
        "request_date": "date not null",  # the session whose calendar listed it (last load wins)
    },
    key=("symbol", "event_type", "event_date", "purpose"),
    indexes=(("event_date",),),
    comment="NSE board meetings, financial results and corporate actions, one row per event",
)

NSE_INSTITUTIONAL_FLOWS = TableSpec(
    schema="raw",
    name="nse_institutional_flows",
    columns={
        "trade_date": "date not null",
        "category": "text not null",  # FII/FPI | DII
        "buy_value": "double precision not null",
        "sell_value": "double precision not null",
        "net_value": "double precision not null",
    },
    key=("trade_date", "category"),
    comment="NSE FII/DII trading activity (Rs crore), one row per session and category",
)

NSDL_FPI_INVESTMENT = TableSpec(
    schema="raw",
    name="nsdl_fpi_investment",
    columns={
        "reporting_date": "date not null",
        "asset_class": "text not null",  # Equity, Debt-General Limit, Debt-VRR, Debt-FAR, Hybrid, Mutual Funds, AIFs
        "route": "text not null",  # Stock Exchange | Primary market & others
        "gross_purchases_cr": "double precision not null",
        "gross_sales_cr": "double precision not null",
        "net_investment_cr": "double precision not null",
        "net_investment_usd_mn": "double precision",
        "conversion_rate": "double precision",  # Rs per US$ NSDL used for the date
    },
    key=("reporting_date", "asset_class", "route"),
    comment="NSDL daily FPI investment (Rs crore), one row per reporting date, asset class and route",
)

NSE_INSIDER_TRADES = TableSpec(
    schema="raw",
    name="nse_insider_trades",
    columns={
        "request_date": "date not null",
        "line": "integer not null",
        "symbol": "text not null",
        "company_name": "text",
        "regulation": "text",
        "acquirer_name": "text not null",
        "person_category": "text",
        "security_type": "text",
        "securities_prior": "double precision",
        "holding_prior_pct": "double precision",
        "quantity": "double precision not null",
        "value": "double precision",
        "transaction_type": "text not null",
        "securities_post": "double precision",
        "holding_post_pct": "double precision",
        "acquired_from": "date",
        "acquired_to": "date",
        "intimated_on": "date",
        "acquisition_mode": "text",
        "exchange": "text",
        "broadcast_at": "timestamp not null",
        "xbrl": "text",
    },
    key=("request_date", "line"),
    indexes=(("symbol",),),
    comment="SEBI PIT insider-trading disclosures as NSE exports them, replaced per requested day",
)

NSE_BULK_BLOCK_DEALS = TableSpec(
    schema="raw",
    name="nse_bulk_block_deals",
    columns={
        "request_date": "date not null",
        "deal_type": "text not null",  # BULK | BLOCK
        "seq": "integer not null",
        "deal_date": "date not null",
        "symbol": "text not null",
        "security_name": "text",
        "client_name": "text not null",
        "side": "text not null",
        "quantity": "double precision not null",
        "price": "double precision not null",
        "remarks": "text",
    },
    key=("request_date", "deal_type", "seq"),
    indexes=(("symbol",),),
    comment="NSE bulk and block deals, replaced per requested day and deal type",
)
