"""The steps behind the market assets: one function per asset, each returning its report."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import psycopg

from valuation_platform.pipelines.fetching import fail_if_incomplete, require_source, settle
from valuation_platform.pipelines.market.common import FeedRun, universe_tickers
from valuation_platform.pipelines.market.history import indicator_frame, price_chart, read_history
from valuation_platform.pipelines.market.prices import fetch_bars, fetch_starts, find_jumps, keyed_by_session, refetch_history
from valuation_platform.pipelines.market.window import RunWindow
from valuation_platform.pipelines.report import Markdown, load_report, merge, table_report
from valuation_platform.sources.polygon.aggregates import SOURCE
from valuation_platform.warehouse.tables.market import POLYGON_DAILY_BARS, TECHNICAL_INDICATORS
from valuation_platform.warehouse.upsert import upsert


def load_daily_bars(conn: psycopg.Connection, run: FeedRun) -> dict[str, Any]:
    """Bars of the run's sessions plus whatever history the warehouse lacks, split repair, quarantine.

    Raises ``SourceNotConfigured`` (live without a key), ``SourceUnavailable`` (the mirror or host has
    none of it) before writing anything, and ``IncompleteLoad`` after the rest landed."""
    key = run.key(SOURCE, "VP_POLYGON_API_KEY")
    client, window, mirror = run.client, run.window, run.mirror
    fetched_at = datetime.now(timezone.utc)
    tickers = universe_tickers(conn, run.ticker_filter)
    tickers += [t for t in run.extra_tickers if t not in tickers]
    load = fetch_bars(client, key, fetch_starts(conn, tickers, window), window, mirror=mirror)
    require_source(load)
    jumps = find_jumps(conn, load.frame, window)
    frames = [(load.frame, f"{SOURCE}:{load.mode}")]
    if jumps:
        repair = refetch_history(client, key, [j.ticker for j in jumps], window, mirror=mirror)
        frames.append((repair.frame, f"{SOURCE}:repair"))
        load.absorb(repair)
    results = [
        upsert(conn, POLYGON_DAILY_BARS, keyed_by_session(frame), source=source, fetched_at=fetched_at)
        for frame, source in frames
    ]
    report = merge(
        table_report(conn, POLYGON_DAILY_BARS.qualified, order_by="trade_date desc, ticker"),
        load_report(results),
        settle(conn, load, asset_key="polygon_daily_bars", log=run.log),
        {
            "endpoint": load.mode,
            "sessions": window.label(),
            "tickers": len(tickers),
            "tickers_given_history": len(load.history),
            "history_from": min(load.history.values()).isoformat() if load.history else "none needed",
            "bars_loaded": load.frame.height,
            "split_repairs": Markdown("\n".join(f"- {j.describe()}" for j in jumps) or "none"),
            "origin": client.describe(),
        },
    )
    fail_if_incomplete(load, conn)
    return report


def compute_technical_indicators(conn: psycopg.Connection, window: RunWindow) -> dict[str, Any]:
    """Indicators of the run's sessions over the stored history before them (see history.py)."""
    with conn.transaction():  # a read: committed before the load
        history = read_history(conn, window)
    frame = indicator_frame(history, window)
    result = upsert(conn, TECHNICAL_INDICATORS, keyed_by_session(frame), source="analytics.indicators")
    return merge(
        table_report(conn, TECHNICAL_INDICATORS.qualified, order_by="trade_date desc, ticker"),
        load_report([result]),
        {
            "sessions": window.label(),
            "history_rows_read": history.height,
            "tickers": frame["ticker"].n_unique(),
            "rows_with_sma_200_in_warm_up": frame["sma_200"].null_count(),
        },
        {"price_chart": chart} if (chart := price_chart(history)) else {},
    )
