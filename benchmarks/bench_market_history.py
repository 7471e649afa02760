"""The technical-indicators asset's warehouse path at market scale: load bars, read history, compute, write.

    .venv/bin/python benchmarks/bench_market_history.py [--tickers 4600] [--sessions 552] [--backfill 252]

Bars come from the market generator (``simulate_market`` over ``us_companies(tickers)`` and the last
``sessions`` NYSE sessions up to the sample's as-of date) and are upserted into raw.polygon_daily_bars of
a scratch database on the embedded Postgres (or VP_TEST_DATABASE_URL's server). Then, as the
``technical_indicators`` asset does, for a one-session run (the evening schedule) and for a
``--backfill``-session run (one single-run backfill): read the history (COPY, LOOKBACK_SESSIONS before
the run), ``compute_indicators``, upsert the run's rows into analytics.technical_indicators.
Prints wall times and rows; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import polars as pl  # noqa: E402

from valuation_platform.generator.market import simulate_market  # noqa: E402
from valuation_platform.generator.sec import DEFAULT_AS_OF  # noqa: E402
from valuation_platform.generator.universe import us_companies  # noqa: E402
from valuation_platform.pipelines.market.history import (  # noqa: E402
    LOOKBACK_SESSIONS,
    indicator_frame,
    read_history,
)
from valuation_platform.pipelines.market.prices import keyed_by_session  # noqa: E402
from valuation_platform.pipelines.market.window import RunWindow  # noqa: E402
from valuation_platform.sources.market_calendar import trading_days_before, us_trading_days  # noqa: E402
from valuation_platform.warehouse.bootstrap import ensure_tables  # noqa: E402
from valuation_platform.warehouse.connection import connect  # noqa: E402
from valuation_platform.warehouse.embedded import drop_database, ensure_database  # noqa: E402
from valuation_platform.warehouse.settings import DatabaseSettings  # noqa: E402
from valuation_platform.warehouse.tables.market import POLYGON_DAILY_BARS, TECHNICAL_INDICATORS  # noqa: E402
from valuation_platform.warehouse.upsert import upsert  # noqa: E402

SCRATCH = "vpb_market_history"


def timed(label: str, fn, rows=None):  # noqa: ANN001, ANN201
    """Run ``fn``; print its wall time and rows/s (``rows``: a count, or taken from the result's height)."""
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    count = rows if rows is not None else result.height
    print(f"{label:<58} {count:>11,} rows {seconds:8.2f} s  {count / seconds:>12,.0f} rows/s")
    return result


def bars_frame(tickers: int, sessions: int) -> pl.DataFrame:
    days = us_trading_days(trading_days_before(DEFAULT_AS_OF, sessions - 1), DEFAULT_AS_OF)
    paths = simulate_market(us_companies(tickers), days)
    traded = paths.traded
    ticker_idx, day_idx = np.nonzero(traded)
    return pl.DataFrame(
        {
            "ticker": np.asarray(paths.tickers)[ticker_idx],
            "trade_date": np.asarray(days, dtype="datetime64[D]")[day_idx],
            **{k: getattr(paths, k)[traded] for k in ("open", "high", "low", "close", "volume", "vwap")},
            "transactions": paths.transactions[traded],
        }
    ).with_columns(pl.col("trade_date").cast(pl.Date))


def run_asset(conn, window: RunWindow, label: str) -> None:  # noqa: ANN001
    history = timed(f"{label}: read history (COPY)", lambda: read_history(conn, window))
    frame = timed(f"{label}: compute_indicators (rows in)", lambda: indicator_frame(history, window),
                  rows=history.height)
    timed(f"{label}: upsert analytics.technical_indicators", lambda: upsert(
        conn, TECHNICAL_INDICATORS, keyed_by_session(frame), source="bench"), rows=frame.height)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickers", type=int, default=4600)
    parser.add_argument("--sessions", type=int, default=LOOKBACK_SESSIONS + 252)
    parser.add_argument("--backfill", type=int, default=252)
    args = parser.parse_args()

    url = os.environ.get("VP_TEST_DATABASE_URL")
    if url:
        admin = DatabaseSettings.from_url(url)
    else:
        from valuation_platform.warehouse.embedded import embedded_settings

        admin = embedded_settings("postgres")
    drop_database(admin, SCRATCH)
    ensure_database(admin, SCRATCH)
    try:
        bars = timed("generate bars (simulate_market)", lambda: bars_frame(args.tickers, args.sessions))
        with connect(admin.with_dbname(SCRATCH)) as conn:
            ensure_tables(conn, [POLYGON_DAILY_BARS, TECHNICAL_INDICATORS])
            def load_bars():  # noqa: ANN202
                return upsert(conn, POLYGON_DAILY_BARS, keyed_by_session(bars), source="bench")

            timed("upsert raw.polygon_daily_bars (first load)", load_bars, bars.height)
            sessions = sorted(bars["trade_date"].unique().to_list())
            run_asset(conn, RunWindow((sessions[-1],)), "1 session")
            run_asset(conn, RunWindow(tuple(sessions[-args.backfill:])), f"{args.backfill}-session backfill")
            timed("upsert the same bars again (all unchanged)", load_bars, bars.height)
    finally:
        drop_database(admin, SCRATCH)


if __name__ == "__main__":
    main()
