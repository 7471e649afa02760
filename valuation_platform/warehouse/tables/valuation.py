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

_ASSUMPTIONS = {name: "double precision" for name in (
    "revenue", "growth_start", "ebit_margin", "reinvestment_rate", "tax_rate", "risk_free", "beta",
    "equity_risk_premium", "cost_of_debt", "debt_weight", "cash", "debt", "diluted_shares", "book_value", "roe",
    "payout_ratio")}

VALUATIONS = TableSpec(
    schema="analytics",
    name="valuations",
    columns={
        "nse_symbol": "text not null",
        "valuation_date": "date not null",
        "scenario": "text not null",  # bull / base / bear
        "model": "text not null",  # FCFF / EXCESS_RETURN
        "valuation_group": "text",
        "valuation_subgroup": "text",
        "valuation_frequency": "text",
        "intrinsic_value_per_share": "double precision",  # Rs; null when WACC/Ke <= terminal growth
        "cmp": "double precision",
        "price_date": "date",
        "upside_pct": "double precision",
        "wacc": "double precision",  # FCFF only
        "cost_of_equity": "double precision not null",
        "terminal_growth": "double precision not null",
        "forecast_years": "integer not null",
        "statements_as_of": "date not null",
        **_ASSUMPTIONS,
    },
    key=("nse_symbol", "valuation_date", "scenario"),
    indexes=(("valuation_date",),),
    comment="Intrinsic values per company, valuation day and scenario, with every input the model used",
)

VALUATION_ATTRIBUTION = TableSpec(
    schema="analytics",
    name="valuation_attribution",
    columns={
        "nse_symbol": "text not null",
        "valuation_date": "date not null",
        "previous_valuation_date": "date not null",
        "measure": "text not null",  # intrinsic_value_per_share / upside_pct
        # INPUT: factor = growth, margin, roe, discount_rate, cmp, other, interaction;
        # DRIVER: factor = a driver key ('MACRO|repo_rate', 'SUBGROUP|...'), statements, cmp, other, interaction
        "basis": "text not null",
        "factor": "text not null",
        "model": "text not null",
        "contribution": "double precision not null",
        "total_change": "double precision not null",
        "previous_value": "double precision not null",
        "current_value": "double precision not null",
    },
    key=("nse_symbol", "valuation_date", "measure", "basis", "factor"),
    comment="Change of the base valuation since the company's previous one, split by input and by driver (one "
            "at a time) plus the interaction term; per basis, contributions + interaction = total_change",
)

VALUATION_DRIVER_EFFECTS = TableSpec(
    schema="analytics",
    name="valuation_driver_effects",
    columns={
        "nse_symbol": "text not null",
        "valuation_date": "date not null",
        "driver_key": "text not null",
        "attributed_to": "text not null",  # the MACRO driver whose series the driver reads, else itself
        "input": "text not null",  # risk_free / growth_start / ebit_margin / roe
        "move": "double precision not null",
        "effect": "double precision not null",  # added to the input (risk_free: the level itself)
    },
    key=("nse_symbol", "valuation_date", "driver_key", "input"),
    indexes=(("valuation_date",),),
    comment="What each driver of a company's chain added to its model inputs in a base valuation "
            "(analytics/valuation/driver_effects.py): the lineage from a driver to every value it moved",
)

INDIA_WEEKLY_REVIEWS = TableSpec(
    schema="analytics",
    name="india_weekly_reviews",
    columns={
        "week_ending": "date not null",
        # trend_signals / structural_shifts / opportunities / valuation_alerts / materiality_alerts
        "section": "text not null",
        "position": "integer not null",
        "subject": "text not null",  # a driver, a scope, a company or an alert type
        "headline": "text not null",
        "value": "double precision",
    },
    key=("week_ending", "section", "position"),
    comment="The Sunday review: the week's trend signals, structural shifts, opportunity ranking and alerts",
)
ANALYTICS_TABLES = (VALUATIONS, VALUATION_ATTRIBUTION, VALUATION_DRIVER_EFFECTS)
