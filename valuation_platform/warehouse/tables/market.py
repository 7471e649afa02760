"""Tables written by the market (prices, technical indicators) and sentiment (news, ratings) assets.

Every row of a daily-partitioned table carries ``trade_date``: the NYSE session whose partition owns
it (a bar's own session; for news and ratings, the first session on or after the item's New York
date, so weekend items belong to Monday). ``_partition_key`` is that session as ``YYYY-MM-DD``.
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

POLYGON_NEWS = TableSpec(
    schema="raw",
    name="polygon_news",
    columns={
        "article_id": "text not null",
        "ticker": "text not null",
        "trade_date": "date not null",
        "published_at": "timestamptz not null",
        "source": "text",
        "title": "text not null",
        "description": "text",
        "url": "text",
        "provider_sentiment": "text",
        "provider_sentiment_reasoning": "text",
    },
    key=("article_id", "ticker"),
    indexes=(("ticker", "trade_date"),),
    comment="Polygon ticker news, one row per (article, universe ticker it lists)",
)

NEWS_SENTIMENT = TableSpec(
    schema="analytics",
    name="news_sentiment",
    columns={
        "article_id": "text not null",
        "ticker": "text not null",
        "trade_date": "date not null",
        "sentiment_score": "double precision not null",
        "sentiment_label": "text not null",
        "scorer": "text not null",
    },
    key=("article_id", "ticker"),
    indexes=(("ticker", "trade_date"),),
    comment="Sentiment per (article, ticker): provider label, else FinBERT (local) or the offline lexicon",
)

BENZINGA_RATINGS = TableSpec(
    schema="raw",
    name="benzinga_ratings",
    columns={
        "rating_id": "text not null",
        "ticker": "text not null",
        "rating_date": "date not null",
        "trade_date": "date not null",
        "firm": "text not null",
        "analyst": "text",
        "action": "text",
        "rating": "text",
        "rating_numeric": "integer",
        "prior_rating": "text",
        "price_target": "double precision",
        "prior_price_target": "double precision",
        "adjusted_price_target": "double precision",
        "price_target_action": "text",
    },
    key=("rating_id",),
    indexes=(("ticker", "rating_date"),),
    comment="Benzinga analyst ratings (calendar/ratings), one row per rating id",
)

MARKET_TABLES = (POLYGON_DAILY_BARS, TECHNICAL_INDICATORS)
SENTIMENT_TABLES = (POLYGON_NEWS, NEWS_SENTIMENT, BENZINGA_RATINGS)
