"""Daily bars for a run: what each ticker still needs, which endpoint, the fetch, and split repair.

History: indicators read :data:`~valuation_platform.pipelines.market.window.HISTORY_SESSIONS` sessions
before a run's first session, so the run makes sure the warehouse holds them. Per ticker it reads what
``raw.polygon_daily_bars`` has before the run and fetches only what is missing, as ONE ranged request:

* nothing (or too short a history) stored: from the history start (a new ticker, a first run);
* history stored but the latest bars missing (runs were skipped): from the day after the last stored bar;
* history stored up to the run: only the run's own sessions.

Endpoint for the up-to-date tickers: a ranged aggregates request (``/range/1/day/{start}/{last}``) returns
one ticker's range in one call; a grouped-daily request returns every US stock for one session. We take
ranged unless the run has fewer sessions than such tickers (the evening run of one session over a large
universe is one grouped call, not thousands). Both read ``adjusted=true`` and give identical rows.

Splits: Polygon adjusts every bar to the share count of the day it is asked. A ranged fetch is therefore
internally consistent, but bars stored by an earlier run sit in the basis of *that* day. When a
ticker's first new bar opens more than :data:`JUMP_FACTOR` away from the last stored close before it
(a split or reverse split, or a genuine crash), its whole history span is fetched again as one ranged
request and upserted, so the series indicators read is continuous again; for a genuine crash the
re-fetch just returns the same bars (one extra call, no harm).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import polars as pl
import psycopg

from valuation_platform.pipelines.fetching import Load, fetch_each
from valuation_platform.pipelines.market.window import HISTORY_SESSIONS, RunWindow
from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.market_calendar import is_us_trading_day, trading_days_before
from valuation_platform.sources.polygon.aggregates import (
    AGGS_SCHEMA,
    SOURCE,
    BarsResult,
    fetch_daily_bars,
    fetch_grouped_bars,
)

RANGED, GROUPED = "ranged", "grouped"
JUMP_FACTOR = 1.5  # a 2:1 split halves the price; the sample's 18 % halt gap stays below this
# A stored history counts as complete when it starts within this many sessions of the history start
# (a halt or a holiday-thin first week must not trigger a full re-fetch every run).
HISTORY_SLACK_SESSIONS = 10


def choose_mode(n_tickers: int, n_sessions: int) -> str:
    """Ranged (one call per ticker) unless grouped (one call per session) needs fewer calls."""
    return RANGED if n_tickers <= n_sessions else GROUPED


@dataclass
class BarsLoad(Load):
    source: str = SOURCE
    what: str = "aggregates"
    mode: str = RANGED
    frame: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=AGGS_SCHEMA))
    history: dict[str, date] = field(default_factory=dict)  # tickers fetched from before the run -> from


# -- what each ticker needs -------------------------------------------------------------------------
def fetch_starts(conn: psycopg.Connection, tickers: Sequence[str], window: RunWindow) -> dict[str, date]:
    """Per ticker, the first calendar day its one request asks for (see the module docstring)."""
    span_first = trading_days_before(window.first, HISTORY_SESSIONS)
    complete_from = trading_days_before(window.first, HISTORY_SESSIONS - HISTORY_SLACK_SESSIONS)
    with conn.transaction():  # a read: committed before the loads
        stored = {
            ticker: (earliest, latest)
            for ticker, earliest, latest in conn.execute(
                "select ticker, min(trade_date), max(trade_date) from raw.polygon_daily_bars"
                " where ticker = any(%s) and trade_date >= %s and trade_date < %s group by ticker",
                (list(tickers), span_first, window.first),
            ).fetchall()
        }
    starts = {}
    for ticker in tickers:
        earliest, latest = stored.get(ticker, (None, None))
        if earliest is None or earliest > complete_from:
            starts[ticker] = window.history_start
        else:
            starts[ticker] = min(window.fetch_start, latest + timedelta(days=1))
    return starts


# -- fetching ---------------------------------------------------------------------------------------
def _merge(results: Iterable[BarsResult], load: BarsLoad, starts: Mapping[str, date], window: RunWindow) -> None:
    """Keep each ticker's bars from its own start to the run's last session, once; a bar dated on a day
    without a session is quarantined (bars on sessions nobody asked for are another run's)."""
    span = window.widened(min(starts.values(), default=window.fetch_start))
    rows: dict[tuple[str, date], dict] = {}
    for result in results:
        load.rejected += result.rejected
        load.excerpts.update(result.excerpts)
        load.documents += result.documents
        for row in result.rows:
            ticker, day = row["ticker"], row["trade_date"]
            if ticker not in starts:
                continue  # grouped daily lists the whole market
            if day in span and day >= starts[ticker]:
                rows.setdefault((ticker, day), row)  # a ticker in both a ranged and a grouped answer
            elif not is_us_trading_day(day):
                item, reason = f"{result.documents[0]}#{ticker} {day}", f"bar dated {day}, not a NYSE session"
                load.rejected.append(SourceError(SOURCE, item, reason, field="results.t"))
            else:
                load.outside += 1
    columns = {name: [row[name] for row in rows.values()] for name in AGGS_SCHEMA}
    load.frame = pl.DataFrame(columns, schema=AGGS_SCHEMA).sort("ticker", "trade_date")


def fetch_bars(
    client: HttpClient,
    api_key: str,
    starts: Mapping[str, date],
    window: RunWindow,
    *,
    mirror: bool,
    mode: str | None = None,
) -> BarsLoad:
    """Every bar each ticker needs (from its start in ``starts`` to the run's last session), bad bars set
    aside: one ranged request per ticker behind, ranged or grouped for the tickers up to date."""
    current = sorted(t for t, start in starts.items() if start >= window.fetch_start)
    load = BarsLoad(mode=mode or choose_mode(len(current), len(window.sessions)))
    ranged = {t: start for t, start in starts.items() if start < window.fetch_start}
    load.history = dict(ranged)
    if load.mode == RANGED:
        ranged |= {t: window.fetch_start for t in current}
    got = fetch_each(
        sorted(ranged), lambda t: fetch_daily_bars(client, t, ranged[t], window.last, api_key), load, mirror=mirror
    )
    results = [result for _, result in got]
    if load.mode == GROUPED and current:
        got_days = fetch_each(
            list(window.sessions), lambda d: fetch_grouped_bars(client, d, api_key), load, mirror=mirror
        )
        results += [result for _, result in got_days]
    _merge(results, load, starts, window)
    return load


# -- split repair -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Jump:
    ticker: str
    last_stored: date
    last_close: float
    first_new: date
    first_open: float

    @property
    def factor(self) -> float:
        return self.first_open / self.last_close

    def describe(self) -> str:
        return (
            f"{self.ticker}: close {self.last_close} on {self.last_stored} -> open {self.first_open} "
            f"on {self.first_new} (x{self.factor:.3f})"
        )


def find_jumps(conn: psycopg.Connection, frame: pl.DataFrame, window: RunWindow) -> list[Jump]:
    """Tickers whose first new bar opens more than JUMP_FACTOR away from the stored close before it
    (only bars within the history span count: older history is not what indicators read)."""
    if frame.is_empty():
        return []
    firsts = (
        frame.sort("ticker", "trade_date")
        .group_by("ticker", maintain_order=True)
        .agg(pl.col("trade_date").first(), pl.col("open").first())
    )
    with conn.transaction():  # a read: committed before the loads
        rows = conn.execute(
            """
            select distinct on (b.ticker) b.ticker, b.trade_date, b.close, f.first_date, f.first_open
            from raw.polygon_daily_bars b
            join unnest(%s::text[], %s::date[], %s::float8[]) as f(ticker, first_date, first_open)
              on b.ticker = f.ticker and b.trade_date < f.first_date and b.trade_date >= %s
            order by b.ticker, b.trade_date desc
            """,
            (
                firsts["ticker"].to_list(),
                firsts["trade_date"].to_list(),
                firsts["open"].to_list(),
                trading_days_before(window.first, HISTORY_SESSIONS),
            ),
        ).fetchall()
    jumps = [Jump(*row) for row in rows if row[2] > 0 and row[4] > 0]
    return [j for j in jumps if abs(math.log(j.factor)) > math.log(JUMP_FACTOR)]


def refetch_history(
    client: HttpClient, api_key: str, tickers: Sequence[str], window: RunWindow, *, mirror: bool
) -> BarsLoad:
    """One ranged request per jumping ticker over the whole history span, in today's share basis."""
    starts = {ticker: window.history_start for ticker in tickers}
    return fetch_bars(client, api_key, starts, window, mirror=mirror, mode=RANGED)


def keyed_by_session(frame: pl.DataFrame) -> pl.DataFrame:
    """Each row's own session as its ``_partition_key`` (one run writes many partitions)."""
    return frame.with_columns(pl.col("trade_date").cast(pl.Utf8).alias("_partition_key"))
