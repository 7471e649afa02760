"""What every analytics phase reads for one session: the positions, the underlyings' and benchmark ETFs'
closes over the history window, DGS10 on the same sessions, and (after the snapshot phase) each
position's exposure and weight.

Closes are forward-filled across a missing session (a halt), so a halted stock returns 0 on its halted
days and the whole gap on reopening; before a ticker's first bar its returns are NaN.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

import numpy as np
import polars as pl
import psycopg

from valuation_platform.analytics.portfolio.factors import BENCHMARK_TICKERS, MARKET_ETF
from valuation_platform.pipelines.portfolio.loads import RATE_SERIES
from valuation_platform.sources.market_calendar import trading_days_before, us_trading_days

HISTORY_SESSIONS = 280  # 252 returns for the longest window, plus the HAR's monthly lag
PORTFOLIO = "__portfolio__"  # position_id of a portfolio's own row in position-level tables
CASH = "CASH"


@dataclass
class Book:
    session: date
    sessions: list[date]
    tickers: list[str]
    closes: np.ndarray  # (tickers, sessions), forward-filled
    rates: np.ndarray  # DGS10 in percent on each session (forward-filled), NaN before the first print
    positions: pl.DataFrame  # raw.portfolio_positions open on the session

    @property
    def returns(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.closes[:, 1:] / self.closes[:, :-1] - 1.0

    @property
    def rate_changes(self) -> np.ndarray:
        return np.diff(self.rates)

    @cached_property
    def _rows(self) -> dict[str, int]:
        return {t: i for i, t in enumerate(self.tickers)}

    def row(self, ticker: str) -> int:
        return self._rows[ticker]  # a dict: called for each of thousands of positions

    def market_returns(self) -> np.ndarray:
        return self.returns[self.row(MARKET_ETF)]


def _ffill(values: np.ndarray) -> np.ndarray:
    """Forward-fill NaN along the last axis."""
    idx = np.where(np.isfinite(values), np.arange(values.shape[-1]), 0)
    np.maximum.accumulate(idx, axis=-1, out=idx)
    filled = np.take_along_axis(values, idx, axis=-1)
    return np.where(np.isfinite(np.take_along_axis(values, idx, axis=-1)), filled, np.nan)


def _closes(conn: psycopg.Connection, rows: dict[str, int], first: date, last: date, days: list[date]) -> np.ndarray:
    """The bars' closes as a (tickers, days) matrix, NaN where a ticker has no bar. The held tickers are most
    of the universe (~1.4M bars at the seeds' scale): the server joins them into one tab-separated text that
    polars parses and numpy places, 1.2 s where ~1.4M Python tuples took ~4 s (COPY is no faster from
    psycopg: it hands over one message per row). Called inside the caller's transaction."""
    closes = np.full((len(rows), len(days)), np.nan)
    # the texts whatever the server's settings: ISO dates, and doubles in their shortest exact form
    conn.execute("set local extra_float_digits = 1")
    text = conn.execute(
        "select string_agg(ticker || E'\\t' || to_char(trade_date, 'YYYY-MM-DD') || E'\\t'"
        " || coalesce(close::text, ''), E'\\n')"
        " from raw.polygon_daily_bars where ticker = any(%s) and trade_date between %s and %s",
        (list(rows), first, last)).fetchone()[0]  # type: ignore[index]
    if not text:
        return closes
    bars = pl.read_csv(io.StringIO(text), separator="\t", has_header=False, quote_char=None,
                       schema={"ticker": pl.Utf8, "trade_date": pl.Date, "close": pl.Float64})
    row = bars["ticker"].replace_strict(rows, return_dtype=pl.Int64).to_numpy()
    col = bars["trade_date"].replace_strict({d: j for j, d in enumerate(days)}, default=-1,
                                            return_dtype=pl.Int64).to_numpy()
    on_day = col >= 0  # a bar on a day that is not a session (the calendar's holidays) is not placed
    closes[row[on_day], col[on_day]] = bars["close"].to_numpy()[on_day]
    return closes


def read_positions(conn: psycopg.Connection, session: date) -> pl.DataFrame:
    cur = conn.execute("select * from raw.portfolio_positions where entry_date is null or entry_date <= %s"
                       " order by portfolio_id, position_id", (session,))
    names = [d.name for d in cur.description or []]
    return pl.DataFrame(cur.fetchall(), schema=names, orient="row", infer_schema_length=None)


class History:
    """The closes and DGS10 prints a run's sessions read, in one query each: every phase of a backfill
    re-read the same history for each session (4,600 tickers x 280 sessions, ~2 s a read: 42 reads in the
    seeds-scale backfill's portfolio stage). Each session's :class:`Book` is then a slice of it, the same as a
    read of that session alone: the window's bars, the prints from two weeks before the window, filled."""

    def __init__(self, conn: psycopg.Connection, sessions: Sequence[date], history: int = HISTORY_SESSIONS) -> None:
        self.history = history
        first, last = trading_days_before(min(sessions), history), max(sessions)
        self.days = us_trading_days(first, last)
        with conn.transaction():
            self.positions = {s: read_positions(conn, s) for s in sessions}
            held = {t for frame in self.positions.values() if frame.height for t in frame["ticker"].to_list()}
            self.tickers = sorted((held - {CASH}) | set(BENCHMARK_TICKERS))
            self.rows = {t: i for i, t in enumerate(self.tickers)}
            self.closes = _closes(conn, self.rows, first, last, self.days)
            self.prints = conn.execute("select obs_date, value from raw.fred_observations where series_id = %s and"
                                       " obs_date between %s and %s and value is not null order by obs_date",
                                       (RATE_SERIES, first - timedelta(days=14), last)).fetchall()

    def book(self, session: date) -> Book:
        positions = self.positions[session]
        sessions = us_trading_days(trading_days_before(session, self.history), session)
        start = self.days.index(sessions[0])
        held = sorted(set(positions["ticker"].to_list()) - {CASH}) if positions.height else []
        tickers = sorted(set(held) | set(BENCHMARK_TICKERS))
        closes = self.closes[[self.rows[t] for t in tickers], start:start + len(sessions)]
        rates = [(d, v) for d, v in self.prints if sessions[0] - timedelta(days=14) <= d <= session]
        rate = np.full(len(sessions), np.nan)
        if rates:
            days = np.array([np.datetime64(d) for d, _ in rates])
            values = np.array([v for _, v in rates], dtype=float)
            at = np.searchsorted(days, np.array([np.datetime64(d) for d in sessions]), side="right") - 1
            rate = np.where(at >= 0, values[np.clip(at, 0, None)], np.nan)
        return Book(session, sessions, tickers, _ffill(closes), rate, positions)


def read_book(conn: psycopg.Connection, session: date, history: int = HISTORY_SESSIONS) -> Book:
    return History(conn, [session], history).book(session)


def read_exposures(conn: psycopg.Connection, session: date) -> pl.DataFrame:
    """The snapshot phase's positions of ``session``: ids, tickers, exposure, weight, market value."""
    with conn.transaction():
        cur = conn.execute(
            "select s.portfolio_id, s.position_id, s.ticker, s.position_type, s.exposure, s.weight, s.market_value,"
            " s.price, p.nav from analytics.portfolio_position_snapshots s join analytics.portfolio_snapshots p"
            " using (portfolio_id, trade_date) where s.trade_date = %s and s.position_type <> 'CASH'"
            " order by s.portfolio_id, s.position_id", (session,))
        names = [d.name for d in cur.description or []]
        return pl.DataFrame(cur.fetchall(), schema=names, orient="row", infer_schema_length=None)


def weight_matrix(exposures: pl.DataFrame, tickers: list[str]) -> tuple[list[str], np.ndarray]:
    """``(portfolios, W)``: each portfolio's weight per underlying (options add their delta-adjusted
    weight to their underlying's), the back-cast's weights."""
    portfolios = sorted(set(exposures["portfolio_id"].to_list()))
    w = np.zeros((len(portfolios), len(tickers)))
    prow = {p: i for i, p in enumerate(portfolios)}
    trow = {t: i for i, t in enumerate(tickers)}
    for p, t, weight in exposures.select("portfolio_id", "ticker", "weight").iter_rows():
        w[prow[p], trow[t]] += weight or 0.0
    return portfolios, w


def backcast(weights: np.ndarray, returns: np.ndarray) -> np.ndarray:
    """Portfolio daily returns from today's weights; a day before a holding's first bar counts it as 0."""
    return weights @ np.nan_to_num(returns)
