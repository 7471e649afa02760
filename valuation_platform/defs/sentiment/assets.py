"""Sentiment: Polygon news -> per-article sentiment, and Benzinga analyst ratings, per NYSE session.

A session's partition owns the items dated after the previous session up to that session (weekend
news belongs to Monday). Runs cover partition ranges in one go; the ``vp/sample_days`` tag makes the
demo fetch the same window the sample generator wrote (generator.market.SAMPLE_HISTORY_DAYS).
"""

import dagster as dg

from valuation_platform.lib.metadata import materialized

from valuation_platform.defs.sec.assets import us_universe
from valuation_platform.pipelines.market.common import (
    NETWORK_RETRY,
    keyed_rows,
    require_key,
    session_asset_args,
    universe_tickers,
)
from valuation_platform.pipelines.sentiment.feeds import fetch_news_rows, fetch_rating_rows, read_news, score
from valuation_platform.pipelines.fetching import fail_if_incomplete, load_rows
from valuation_platform.pipelines.market.window import RunWindow
from valuation_platform.pipelines.report import load_report, merge, table_report
from valuation_platform.lib.resources import SourcesResource, WarehouseResource
from valuation_platform.sources.benzinga.ratings import SOURCE as BENZINGA
from valuation_platform.sources.polygon.aggregates import SOURCE as POLYGON
from valuation_platform.warehouse.tables.market import BENZINGA_RATINGS, NEWS_SENTIMENT, POLYGON_NEWS
from valuation_platform.warehouse.tables.sec import US_UNIVERSE
from valuation_platform.warehouse.upsert import upsert

COMMON = session_asset_args("sentiment", "team:research")


@dg.asset(
    deps=[us_universe],
    kinds={"python", "postgres"},
    retry_policy=NETWORK_RETRY,
    description=(
        "Polygon ticker news (/v2/reference/news), one row per (article, universe ticker it lists), with the "
        "provider's per-ticker sentiment when the article has `insights`. One paged request per ticker per "
        "run. Articles that cannot be used (no tickers, no id, bad timestamp) are quarantined one by one."
    ),
    **COMMON,
)
def polygon_news(context: dg.AssetExecutionContext, sources: SourcesResource, warehouse: WarehouseResource):
    window = RunWindow.from_keys(context.partition_keys)
    client = sources.client
    key = require_key(client, sources.polygon_api_key, "VP_POLYGON_API_KEY")
    with warehouse.connect([US_UNIVERSE, POLYGON_NEWS]) as conn:
        tickers = universe_tickers(conn, sources.ticker_filter)
        load = fetch_news_rows(client, key, tickers, window, mirror=client.mode != "live")
        meta = merge(
            load_rows(conn, POLYGON_NEWS, load, source=POLYGON, origin=f"{POLYGON}:news",
                      asset_key="polygon_news", log=context.log, order_by="published_at desc, ticker"),
            {
                "sessions": window.label(),
                "tickers": len(tickers),
                "with_provider_sentiment": sum(r["provider_sentiment"] is not None for r in load.rows),
                "pairs_for_tickers_outside_universe": load.other_tickers,
                "origin": client.describe(),
            },
        )
    fail_if_incomplete(load)
    return materialized(meta)


@dg.asset(
    deps=[polygon_news],
    kinds={"python", "postgres"},
    description=(
        "Sentiment per (article, ticker) for the run's sessions: the provider's label (positive +1, "
        "neutral 0, negative -1) when Polygon gives one for that ticker, else FinBERT when a local model "
        "is configured (VP_FINBERT_PATH; never downloaded), else the offline finance lexicon. `scorer` says "
        "which."
    ),
    **COMMON,
)
def news_sentiment(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    window = RunWindow.from_keys(context.partition_keys)
    with warehouse.connect([POLYGON_NEWS, NEWS_SENTIMENT]) as conn:
        scored = score(read_news(conn, window))
        result = upsert(conn, NEWS_SENTIMENT, keyed_rows(scored.rows), source="analytics.sentiment")
        meta = merge(
            table_report(conn, NEWS_SENTIMENT.qualified, order_by="trade_date desc, ticker"),
            load_report([result]),
            {f"scored_by_{name}": count for name, count in sorted(scored.scorers.items())},
            {"sessions": window.label(), "finbert": scored.finbert},
        )
    return materialized(meta)


@dg.asset(
    deps=[us_universe],
    kinds={"python", "postgres"},
    retry_policy=NETWORK_RETRY,
    description=(
        "Benzinga analyst ratings (calendar/ratings) for the universe: firm, analyst, action, rating and its "
        "1..5 number, price targets (as published and split-adjusted). One paged request per ticker per run. "
        "Rating strings the numeric scale does not know stay NULL and are listed in this metadata."
    ),
    **COMMON,
)
def benzinga_ratings(
    context: dg.AssetExecutionContext, sources: SourcesResource, warehouse: WarehouseResource
):
    window = RunWindow.from_keys(context.partition_keys)
    client = sources.client
    token = require_key(client, sources.benzinga_api_key, "VP_BENZINGA_API_KEY")
    with warehouse.connect([US_UNIVERSE, BENZINGA_RATINGS]) as conn:
        tickers = universe_tickers(conn, sources.ticker_filter)
        load = fetch_rating_rows(client, token, tickers, window, mirror=client.mode != "live")
        meta = merge(
            load_rows(conn, BENZINGA_RATINGS, load, source=BENZINGA, origin=f"{BENZINGA}:ratings",
                      asset_key="benzinga_ratings", log=context.log, order_by="rating_date desc, ticker"),
            {
                "sessions": window.label(),
                "tickers": len(tickers),
                "unknown_rating_strings": ", ".join(sorted(load.unknown_ratings)) or "none",
                "unknown_rating_count": len(load.unknown_ratings),
                "origin": client.describe(),
            },
        )
    for text in sorted(load.unknown_ratings):
        context.log.warning(f"rating string without a numeric mapping (left NULL): {text!r}")
    fail_if_incomplete(load)
    return materialized(meta)
