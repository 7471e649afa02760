"""What every market and sentiment step shares: its tickers, its credentials, its partition keys."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg

from valuation_platform.pipelines.market.window import RunWindow
from valuation_platform.sources.errors import SourceNotConfigured
from valuation_platform.sources.http import HttpClient

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeedRun:
    """What a feed step takes from its asset: where bytes come from, the API key, the universe filter
    (VP_TICKERS), the run's sessions, and where warnings go (the asset's log)."""

    client: HttpClient
    api_key: str | None
    ticker_filter: Sequence[str]
    window: RunWindow
    log: Any = LOG
    # VP_BENCHMARK_TICKERS: index/factor ETFs fetched with the universe's bars (not in raw.us_universe);
    # the portfolio domain regresses on SPY, IWM, MTUM, QUAL, VLUE, USMV
    extra_tickers: Sequence[str] = ()

    @property
    def mirror(self) -> bool:
        return self.client.mode != "live"

    def key(self, source: str, setting: str) -> str:
        return require_key(self.client, self.api_key, source=source, setting=setting)


def keyed_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each row's own session (``trade_date``) as its ``_partition_key``: one run writes many partitions."""
    return [{**row, "_partition_key": row["trade_date"].isoformat()} for row in rows]


def universe_tickers(conn: psycopg.Connection, ticker_filter: Sequence[str]) -> list[str]:
    """raw.us_universe (SEC domain), narrowed by VP_TICKERS when set; a clear ValueError when empty.

    Runs in its own short transaction (the connection is not autocommit): no transaction stays open
    across the network fetches that follow, and each later load commits on its own, so what landed
    stays landed even when a later step fails.
    """
    with conn.transaction():
        rows = conn.execute("select ticker from raw.us_universe order by ticker").fetchall()
    tickers = [t for (t,) in rows]
    if ticker_filter:
        wanted = set(ticker_filter)
        tickers = [t for t in tickers if t in wanted]
    if not tickers:
        raise ValueError(
            "no tickers: raw.us_universe is empty"
            + (f" or holds none of VP_TICKERS={','.join(ticker_filter)}" if ticker_filter else "")
            + "; materialize us_universe first"
        )
    return tickers


def require_key(client: HttpClient, key: str | None, *, source: str, setting: str) -> str:
    """The API key; live hosts without one: :class:`SourceNotConfigured` (mirrors need none)."""
    if key:
        return key
    if client.mode == "live":
        raise SourceNotConfigured(source, setting, "live requests need it; or point VP_SOURCE_ROOT at a mirror")
    return ""
