"""Sentiment: Polygon news -> per-article sentiment, and Benzinga analyst ratings, per NYSE session.

A session's partition owns the items dated after the previous session up to that session (weekend
news belongs to Monday). Runs cover partition ranges in one go; a ticker with nothing stored is given
its history on its first fetch (pipelines/sentiment/feeds.py).
"""

import dagster as dg

from valuation_platform.defs.sec.assets import us_universe
from valuation_platform.lib.metadata import materialized
from valuation_platform.lib.partitions import US_TRADING_DAYS
from valuation_platform.lib.policies import asset_defaults
from valuation_platform.lib.resources import SourcesResource, WarehouseResource
from valuation_platform.lib.sources import source_outcome
from valuation_platform.pipelines.market.common import FeedRun
from valuation_platform.pipelines.market.window import RunWindow
from valuation_platform.pipelines.sentiment.steps import load_news, load_ratings, score_news_sentiment
from valuation_platform.warehouse.tables.sec import US_UNIVERSE
from valuation_platform.warehouse.tables.sentiment import BENZINGA_RATINGS, NEWS_SENTIMENT, POLYGON_NEWS


@dg.asset(
    deps=[us_universe],
    description=(
        "Polygon ticker news (/v2/reference/news), one row per (article, universe ticker it lists), with the "
        "provider's per-ticker sentiment when the article has `insights`. One paged request per ticker per "
        "run. Articles that cannot be used (no tickers, no id, bad timestamp) are quarantined one by one."
    ),
    **asset_defaults("sentiment", partitions_def=US_TRADING_DAYS, network=True),
)
def polygon_news(
    context: dg.AssetExecutionContext, sources: SourcesResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    window = RunWindow.from_keys(context.partition_keys)
    with source_outcome(), warehouse.connect([US_UNIVERSE, POLYGON_NEWS]) as conn:
        run = FeedRun(sources.client, sources.polygon_api_key, sources.ticker_filter, window, context.log)
        report = load_news(conn, run)
    return materialized(report)


@dg.asset(
    deps=[polygon_news],
    description=(
        "Sentiment per (article, ticker) for the run's sessions: the provider's label (positive +1, "
        "neutral 0, negative -1) when Polygon gives one for that ticker, else FinBERT when a local model "
        "is configured (VP_FINBERT_PATH; never downloaded), else the offline finance lexicon. `scorer` says "
        "which."
    ),
    **asset_defaults("sentiment", partitions_def=US_TRADING_DAYS),
)
def news_sentiment(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    window = RunWindow.from_keys(context.partition_keys)
    with warehouse.connect([POLYGON_NEWS, NEWS_SENTIMENT]) as conn:
        report = score_news_sentiment(conn, window)
    return materialized(report)


@dg.asset(
    deps=[us_universe],
    description=(
        "Benzinga analyst ratings (calendar/ratings) for the universe: firm, analyst, action, rating and its "
        "1..5 number, price targets (as published and split-adjusted). One paged request per ticker per run. "
        "Rating strings the numeric scale does not know stay NULL and are listed in this metadata."
    ),
    **asset_defaults("sentiment", partitions_def=US_TRADING_DAYS, network=True),
)
def benzinga_ratings(
    context: dg.AssetExecutionContext, sources: SourcesResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    window = RunWindow.from_keys(context.partition_keys)
    with source_outcome(), warehouse.connect([US_UNIVERSE, BENZINGA_RATINGS]) as conn:
        run = FeedRun(sources.client, sources.benzinga_api_key, sources.ticker_filter, window, context.log)
        report = load_ratings(conn, run)
    return materialized(report)
