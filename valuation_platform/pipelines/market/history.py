"""The price history technical indicators are computed from, read from the warehouse."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
import psycopg
from psycopg import sql

from valuation_platform.analytics.market.indicators import INDICATOR_COLUMNS, compute_indicators
from valuation_platform.pipelines.market.window import HISTORY_SESSIONS, RunWindow
from valuation_platform.pipelines.report import Chart
from valuation_platform.sources.market_calendar import trading_days_before

# Sessions of history read before a run's first session (the bars asset makes sure they are stored).
LOOKBACK_SESSIONS = HISTORY_SESSIONS
HISTORY_SCHEMA = {"ticker": pl.Utf8, "trade_date": pl.Date, "close": pl.Float64, "volume": pl.Float64}
INDICATOR_SCHEMA = {"ticker": pl.Utf8, "trade_date": pl.Date, **{c: pl.Float64 for c in INDICATOR_COLUMNS}}


def read_frame(
    conn: psycopg.Connection, query: sql.Composable, params: Sequence[object], schema: dict[str, pl.DataType]
) -> pl.DataFrame:
    """A query's rows as a polars frame, through COPY (far faster than fetching tuples)."""
    statement = sql.SQL("copy ({}) to stdout with (format csv, header true)").format(query)
    with conn.cursor() as cur, cur.copy(statement, params) as copy:
        payload = b"".join(bytes(chunk) for chunk in copy)
    return pl.read_csv(payload, schema=schema) if payload else pl.DataFrame(schema=schema)


def read_history(
    conn: psycopg.Connection, window: RunWindow, lookback: int = LOOKBACK_SESSIONS
) -> pl.DataFrame:
    """Close and volume of every ticker with a bar in the run, from ``lookback`` sessions before its start."""
    query = sql.SQL(
        "select ticker, trade_date, close, volume from raw.polygon_daily_bars"
        " where trade_date between %s and %s and ticker in"
        " (select distinct ticker from raw.polygon_daily_bars where trade_date between %s and %s)"
        " order by ticker, trade_date"
    )
    start = trading_days_before(window.first, lookback)
    return read_frame(conn, query, (start, window.last, window.first, window.last), HISTORY_SCHEMA)


def indicator_frame(history: pl.DataFrame, window: RunWindow) -> pl.DataFrame:
    """Indicators for the run's sessions, each computed over the ticker's history up to that day."""
    if history.is_empty():
        return pl.DataFrame(schema=INDICATOR_SCHEMA)
    sessions = pl.Series(list(window.sessions), dtype=pl.Date).implode()
    return (
        compute_indicators(history)
        .filter(pl.col("trade_date").is_in(sessions))
        .select(*INDICATOR_SCHEMA)
    )


PRICE_CHART_COLUMNS = ("trade_date", "close", "sma_50", "sma_200", "bb_upper", "bb_lower", "rsi_14")


def price_chart(history: pl.DataFrame) -> Chart | None:
    """One ticker's stored history (the first in the run, by symbol) with its indicators, for the asset page."""
    if history.is_empty():
        return None
    ticker = history["ticker"].min()
    one = compute_indicators(history.filter(pl.col("ticker") == ticker))
    return Chart("price", f"{ticker}: close, SMA 50/200, Bollinger 20/2, RSI 14",
                 {column: one[column].to_list() for column in PRICE_CHART_COLUMNS})
