"""Tables written by the market assets (prices, technical indicators).

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

MARKET_TABLES = (POLYGON_DAILY_BARS, TECHNICAL_INDICATORS)
