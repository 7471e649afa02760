"""Tables written by the market assets (prices, corporate actions, technical indicators).

Every row carries ``trade_date``, the NYSE session whose partition owns it; ``_partition_key`` is that
session as ``YYYY-MM-DD``. (News and ratings: ``warehouse/tables/sentiment.py``.)
"""

from __future__ import annotations

from valuation_platform.analytics.market.indicators import INDICATOR_COLUMNS
from valuation_platform.warehouse.tables import TableSpec

POLYGON_DAILY_BARS = TableSpec(
    schema="raw",
    name="polygon_daily_bars",
    columns={
        "ticker": "text not null",
        "trade_date": "date not null",
        "open": "double precision not null",
        "high": "double precision not null",
        "low": "double precision not null",
        "close": "double precision not null",
        "volume": "double precision not null",
        "vwap": "double precision",
        "transactions": "bigint",
    },
    key=("ticker", "trade_date"),
    indexes=(("trade_date",),),
    comment="Polygon daily bars, split-adjusted (adjusted=true), from ranged aggregates or grouped daily",
)

TECHNICAL_INDICATORS = TableSpec(
    schema="analytics",
    name="technical_indicators",
    columns={
        "ticker": "text not null",
        "trade_date": "date not null",
        **{name: "double precision" for name in INDICATOR_COLUMNS},
    },
    key=("ticker", "trade_date"),
    indexes=(("trade_date",),),
    comment="Technical indicators per ticker and session (compute_indicators); NULL inside the warm-up",
)

POLYGON_SPLITS = TableSpec(
    schema="raw",
    name="polygon_splits",
    columns={
        "ticker": "text not null",
        "execution_date": "date not null",
        "split_from": "double precision not null",
        "split_to": "double precision not null",
        "polygon_id": "text",
    },
    key=("ticker", "execution_date"),
    comment="Polygon /v3/reference/splits: split_from shares became split_to on execution_date",
)

POLYGON_DIVIDENDS = TableSpec(
    schema="raw",
    name="polygon_dividends",
    columns={
        "ticker": "text not null",
        "ex_dividend_date": "date not null",
        "dividend_type": "text not null",
        "cash_amount": "double precision not null",
        "currency": "text",
        "declaration_date": "date",
        "record_date": "date",
        "pay_date": "date",
        "frequency": "integer",
        "polygon_id": "text",
    },
    key=("ticker", "ex_dividend_date", "dividend_type"),
    comment="Polygon /v3/reference/dividends: cash per share (basis of the ex-dividend date)",
)

MARKET_TABLES = (POLYGON_DAILY_BARS, POLYGON_SPLITS, POLYGON_DIVIDENDS, TECHNICAL_INDICATORS)
