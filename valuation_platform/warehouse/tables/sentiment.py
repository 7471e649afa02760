"""Tables written by the sentiment assets (news, news sentiment, analyst ratings).

Every row carries ``trade_date``: the NYSE session whose partition owns it, the first session on or
after the item's New York date (weekend items belong to Monday). ``_partition_key`` is that session as
``YYYY-MM-DD``.
"""

from __future__ import annotations

from valuation_platform.warehouse.tables import TableSpec

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

SENTIMENT_TABLES = (POLYGON_NEWS, NEWS_SENTIMENT, BENZINGA_RATINGS)
