"""Market data: Polygon daily bars -> technical indicators, one partition per NYSE session.

Both assets run a partition range as one run (a year's backfill is one run). The bars asset itself makes
sure the warehouse holds the history indicators need (pipelines/market/prices.py); nothing tells a runner
how far back to go.
"""

import dagster as dg

from valuation_platform.defs.sec.assets import us_universe
from valuation_platform.lib.metadata import materialized
from valuation_platform.lib.partitions import US_TRADING_DAYS
from valuation_platform.lib.policies import asset_defaults
from valuation_platform.lib.resources import SourcesResource, WarehouseResource
from valuation_platform.lib.sources import source_outcome
from valuation_platform.pipelines.market.corporate_actions import load_dividends, load_splits
from valuation_platform.pipelines.market.steps import compute_technical_indicators, load_daily_bars
from valuation_platform.pipelines.market.common import FeedRun
from valuation_platform.pipelines.market.window import HISTORY_SESSIONS, RunWindow
from valuation_platform.warehouse.tables.market import (
    POLYGON_DAILY_BARS,
    POLYGON_DIVIDENDS,
    POLYGON_SPLITS,
    TECHNICAL_INDICATORS,
)
from valuation_platform.warehouse.tables.sec import US_UNIVERSE


@dg.asset(
    deps=[us_universe],
    description=(
        "Polygon daily OHLCV bars (adjusted=true) for the US universe (raw.us_universe, narrowed by "
        "VP_TICKERS) plus the benchmark ETFs of VP_BENCHMARK_TICKERS, one partition per NYSE session. Per ticker the run reads what is stored and asks for "
        f"what is missing in one ranged aggregates request: the {HISTORY_SESSIONS} sessions of history "
        "before the run when none is stored (each bar under its own session), else only the run's sessions "
        "(one grouped-daily request per session when that is fewer calls). A bar with missing or bad fields "
        "is quarantined on its own (raw.quarantine, the bar as excerpt); a ticker whose first new bar jumps "
        "more than 1.5x from the stored close (a split) has its history re-fetched in today's share basis. "
        "Unreachable documents fail the run after the rest loaded."
    ),
    **asset_defaults("market", partitions_def=US_TRADING_DAYS, network=True),
)
def polygon_daily_bars(
    context: dg.AssetExecutionContext, sources: SourcesResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    window = RunWindow.from_keys(context.partition_keys)
    with source_outcome(), warehouse.connect([US_UNIVERSE, POLYGON_DAILY_BARS]) as conn:
        run = FeedRun(sources.client, sources.polygon_api_key, sources.ticker_filter, window, context.log,
                      extra_tickers=sources.benchmark_list)
        report = load_daily_bars(conn, run)
    return materialized(report)


@dg.asset(
    deps=[polygon_daily_bars],
    description=(
        "Technical indicators per ticker and session (RSI14, MACD 12/26/9, SMA50/200, EMA12/26, Bollinger "
        "20/2, volume SMA20, 1/3/6/12-month returns) from analytics.indicators.compute_indicators over the "
        f"stored bars from {HISTORY_SESSIONS} sessions before the run's first session, so every value sees "
        "enough history; values inside an indicator's warm-up are NULL. Written to "
        "analytics.technical_indicators."
    ),
    **asset_defaults("market", partitions_def=US_TRADING_DAYS),
)
def technical_indicators(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    window = RunWindow.from_keys(context.partition_keys)
    with warehouse.connect([POLYGON_DAILY_BARS, TECHNICAL_INDICATORS]) as conn:
        report = compute_technical_indicators(conn, window)
    return materialized(report)


@dg.asset(
    deps=[us_universe],
    description=(
        "Stock splits of the US universe from Polygon /v3/reference/splits (the whole list, every page, "
        "filtered to raw.us_universe): split_from shares became split_to on execution_date. Feeds "
        "fct_split_factors, which puts prices, EPS and share counts on one share basis. Malformed records "
        "are quarantined; the rest land."
    ),
    **asset_defaults("market", network=True),
)
def polygon_splits(sources: SourcesResource, warehouse: WarehouseResource) -> dg.MaterializeResult:
    with source_outcome(), warehouse.connect([US_UNIVERSE, POLYGON_SPLITS]) as conn:
        return materialized(load_splits(conn, sources.client, sources.polygon_api_key, sources.ticker_filter))


@dg.asset(
    deps=[us_universe],
    description=(
        "Cash dividends of the US universe from Polygon /v3/reference/dividends (the whole list, every page, "
        "filtered to raw.us_universe): cash_amount per share in the basis of the ex-dividend date. "
        "Malformed records are quarantined; the rest land."
    ),
    **asset_defaults("market", network=True),
)
def polygon_dividends(sources: SourcesResource, warehouse: WarehouseResource) -> dg.MaterializeResult:
    with source_outcome(), warehouse.connect([US_UNIVERSE, POLYGON_DIVIDENDS]) as conn:
        return materialized(load_dividends(conn, sources.client, sources.polygon_api_key, sources.ticker_filter))
