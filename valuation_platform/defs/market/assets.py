"""Market data: Polygon daily bars -> technical indicators, one partition per NYSE session.

Both assets run a partition range as one run (a 252-session backfill is one run) and handle many
partition keys per run. The demo needs 400 days of history for indicators to leave their warm-up,
hence the ``vp/sample_days`` tag (equal to generator.market.SAMPLE_HISTORY_DAYS).
"""

from datetime import datetime, timezone

import dagster as dg

from valuation_platform.lib.metadata import materialized

from valuation_platform.defs.sec.assets import us_universe
from valuation_platform.pipelines.market.common import (
    NETWORK_RETRY,
    require_key,
    session_asset_args,
    universe_tickers,
)
from valuation_platform.pipelines.fetching import fail_if_incomplete, settle
from valuation_platform.pipelines.market.history import LOOKBACK_SESSIONS, indicator_frame, read_history
from valuation_platform.pipelines.market.prices import (
    fetch_bars,
    find_jumps,
    keyed_by_session,
    refetch_history,
    repair_start,
)
from valuation_platform.pipelines.market.window import RunWindow
from valuation_platform.pipelines.report import load_report, merge, table_report
from valuation_platform.lib.resources import SourcesResource, WarehouseResource
from valuation_platform.sources.polygon.aggregates import SOURCE
from valuation_platform.warehouse.tables.market import POLYGON_DAILY_BARS, TECHNICAL_INDICATORS
from valuation_platform.warehouse.tables.sec import US_UNIVERSE
from valuation_platform.warehouse.upsert import upsert

COMMON = session_asset_args("market", "team:market-data")


@dg.asset(
    deps=[us_universe],
    kinds={"python", "postgres"},
    retry_policy=NETWORK_RETRY,
    description=(
        "Polygon daily OHLCV bars (adjusted=true) for the US universe (raw.us_universe, narrowed by "
        "VP_TICKERS), one partition per NYSE session. A run asks for its whole range at once: one ranged "
        "aggregates request per ticker, or one grouped-daily request per session when that is fewer calls. "
        "A bar with missing or bad fields is quarantined on its own (raw.quarantine, the bar as excerpt); a "
        "ticker whose first new bar jumps more than 1.5x from the stored close (a split) has its recent "
        "history re-fetched in today's share basis. Unreachable documents fail the run after the rest loaded."
    ),
    **COMMON,
)
def polygon_daily_bars(
    context: dg.AssetExecutionContext, sources: SourcesResource, warehouse: WarehouseResource
):
    window = RunWindow.from_keys(context.partition_keys)
    client = sources.client
    mirror = client.mode != "live"
    key = require_key(client, sources.polygon_api_key, "VP_POLYGON_API_KEY")
    fetched_at = datetime.now(timezone.utc)
    with warehouse.connect([US_UNIVERSE, POLYGON_DAILY_BARS]) as conn:
        tickers = universe_tickers(conn, sources.ticker_filter)
        load = fetch_bars(client, key, tickers, window, mirror=mirror)
        with conn.transaction():  # a read: committed before the loads (see universe_tickers)
            jumps = find_jumps(conn, load.frame, window)
            starts = {j.ticker: repair_start(conn, j.ticker, window) for j in jumps}
        frames = [(load.frame, f"{SOURCE}:{load.mode}")]
        if jumps:
            repair = refetch_history(client, key, starts, window, mirror=mirror)
            frames.append((repair.frame, f"{SOURCE}:repair"))
            load.absorb(repair)
        results = [
            upsert(conn, POLYGON_DAILY_BARS, keyed_by_session(frame), source=source, fetched_at=fetched_at)
            for frame, source in frames
        ]
        meta = merge(
            table_report(conn, POLYGON_DAILY_BARS.qualified, order_by="trade_date desc, ticker"),
            load_report(results),
            settle(conn, load, source=SOURCE, asset_key="polygon_daily_bars", log=context.log),
            {
                "endpoint": load.mode,
                "sessions": window.label(),
                "tickers": len(tickers),
                "bars_loaded": load.frame.height,
                "split_repairs": dg.MetadataValue.md("\n".join(f"- {j.describe()}" for j in jumps) or "none"),
                "origin": client.describe(),
            },
        )
    fail_if_incomplete(load)
    return materialized(meta)


@dg.asset(
    deps=[polygon_daily_bars],
    kinds={"python", "postgres"},
    description=(
        "Technical indicators per ticker and session (RSI14, MACD 12/26/9, SMA50/200, EMA12/26, Bollinger "
        "20/2, volume SMA20, 1/3/6/12-month returns) from analytics.indicators.compute_indicators over the "
        f"stored bars from {LOOKBACK_SESSIONS} sessions before the run's first session, so every value sees "
        "enough history; values inside an indicator's warm-up are NULL. Written to "
        "analytics.technical_indicators."
    ),
    **COMMON,
)
def technical_indicators(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    window = RunWindow.from_keys(context.partition_keys)
    with warehouse.connect([POLYGON_DAILY_BARS, TECHNICAL_INDICATORS]) as conn:
        with conn.transaction():  # a read: committed before the load
            history = read_history(conn, window)
        frame = indicator_frame(history, window)
        result = upsert(conn, TECHNICAL_INDICATORS, keyed_by_session(frame), source="analytics.indicators")
        meta = merge(
            table_report(conn, TECHNICAL_INDICATORS.qualified, order_by="trade_date desc, ticker"),
            load_report([result]),
            {
                "sessions": window.label(),
                "history_rows_read": history.height,
                "tickers": frame["ticker"].n_unique(),
                "rows_with_sma_200_in_warm_up": frame["sma_200"].null_count(),
            },
        )
    return materialized(meta)
