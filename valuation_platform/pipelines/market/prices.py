"""Daily bars for a run: which endpoint, the fetch, and the repair of history a split left behind.

Endpoint choice: a ranged aggregates request (``/range/1/day/{fetch_start}/{last}``) returns one ticker's
whole run in one call; a grouped-daily request returns every US stock for one session. A run therefore
costs ``tickers`` ranged calls or ``sessions`` grouped calls: we take ranged (the preferred path, e.g. a
252-session backfill of the sample universe is 30 calls, not 252) unless the run has fewer sessions than
tickers (the evening run of one session over a large universe is one grouped call, not thousands).
Both read ``adjusted=true`` and give identical rows.

Splits: Polygon adjusts every bar to the share count of the day it is asked. A ranged fetch is therefore
internally consistent, but bars stored by an earlier run sit in the basis of *that* day. When a
ticker's first new bar opens more than :data:`JUMP_FACTOR` away from the last stored close before it
(a split or reverse split, or a genuine crash), its recent history is fetched again as one ranged
request and upserted, so the series indicators read is continuous again; for a genuine crash the
re-fetch just returns the same bars (one extra call, no harm).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import polars as pl
import psycopg

from valuation_platform.pipelines.fetching import Load, fetch_each
from valuation_platform.pipelines.market.history import LOOKBACK_SESSIONS
from valuation_platform.pipelines.market.window import RunWindow
from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.market_calendar import (
    feed_start,
    is_us_trading_day,
    trading_days_before,
    us_trading_days,
)
from valuation_platform.sources.polygon.aggregates import (
    AGGS_SCHEMA,
    SOURCE,
    BarsResult,
    fetch_daily_bars,
    fetch_grouped_bars,
)

RANGED, GROUPED = "ranged", "grouped"
JUMP_FACTOR = 1.5  # a 2:1 split halves the price; the sample's 18 % halt gap stays below this


def choose_mode(n_tickers: int, n_sessions: int) -> str:
    """Ranged (one call per ticker) unless grouped (one call per session) needs fewer calls."""
    return RANGED if n_tickers <= n_sessions else GROUPED


@dataclass
class BarsLoad(Load):
    mode: str = RANGED
    frame: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=AGGS_SCHEMA))


def _merge(results: Sequence[BarsResult], load: BarsLoad, tickers: set[str], window: RunWindow) -> None:
    """Keep the bars of ``tickers`` on the run's sessions; a bar dated on a day without a session is
    quarantined (bars on sessions outside the run are another run's)."""
    rows = []
    for result in results:
        load.rejected += result.rejected
        load.excerpts.update(result.excerpts)
        load.documents += result.documents
        for row in result.rows:
            ticker, day = row["ticker"], row["trade_date"]
            if ticker not in tickers:
                continue  # grouped daily lists the whole market
            if day in window:
                rows.append(row)
            elif not is_us_trading_day(day):
                item, reason = f"{result.documents[0]}#{ticker} {day}", f"bar dated {day}, not a NYSE session"
                load.rejected.append(SourceError(SOURCE, item, reason, field="results.t"))
            else:
                load.outside += 1
    columns = {name: [row[name] for row in rows] for name in AGGS_SCHEMA}
    load.frame = pl.DataFrame(columns, schema=AGGS_SCHEMA).sort("ticker", "trade_date")


def fetch_bars(
    client: HttpClient,
    api_key: str,
    tickers: Sequence[str],
    window: RunWindow,
    *,
    mirror: bool,
    mode: str | None = None,
) -> BarsLoad:
    """Every bar of ``tickers`` for the run's sessions, bad bars set aside."""
    load = BarsLoad(mode=mode or choose_mode(len(tickers), len(window.sessions)))
    if load.mode == RANGED:
        got = fetch_each(
            list(tickers),
            lambda t: fetch_daily_bars(client, t, window.fetch_start, window.last, api_key),
            load,
            mirror=mirror,
        )
    else:
        got = fetch_each(
            list(window.sessions), lambda d: fetch_grouped_bars(client, d, api_key), load, mirror=mirror
        )
    _merge([result for _, result in got], load, set(tickers), window)
    return load


# -- split repair ----------------------------------------------------------------------------------
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
    (only bars within the lookback count: older history is not what indicators read)."""
    if frame.is_empty():
        return []
    firsts = (
        frame.sort("ticker", "trade_date")
        .group_by("ticker", maintain_order=True)
        .agg(pl.col("trade_date").first(), pl.col("open").first())
    )
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
            trading_days_before(window.first, LOOKBACK_SESSIONS),
        ),
    ).fetchall()
    jumps = [Jump(*row) for row in rows if row[2] > 0 and row[4] > 0]
    return [j for j in jumps if abs(math.log(j.factor)) > math.log(JUMP_FACTOR)]


def repair_start(conn: psycopg.Connection, ticker: str, window: RunWindow) -> date:
    """First day of the re-fetch: the earliest stored bar within the lookback (as a feed start)."""
    earliest = conn.execute(
        "select min(trade_date) from raw.polygon_daily_bars where ticker = %s and trade_date >= %s",
        (ticker, trading_days_before(window.first, LOOKBACK_SESSIONS)),
    ).fetchone()[0]
    return feed_start(earliest or window.first)


def refetch_history(
    client: HttpClient, api_key: str, starts: dict[str, date], window: RunWindow, *, mirror: bool
) -> BarsLoad:
    """One ranged request per jumping ticker over its recent history, in today's share basis."""
    load = BarsLoad(mode=RANGED)
    got = fetch_each(
        sorted(starts),
        lambda t: fetch_daily_bars(client, t, starts[t], window.last, api_key),
        load,
        mirror=mirror,
    )
    history = RunWindow(tuple(us_trading_days(min(starts.values(), default=window.first), window.last)))
    _merge([result for _, result in got], load, set(starts), history)
    return load


def keyed_by_session(frame: pl.DataFrame) -> pl.DataFrame:
    """Each row's own session as its ``_partition_key`` (one run writes many partitions)."""
    return frame.with_columns(pl.col("trade_date").cast(pl.Utf8).alias("_partition_key"))
