"""What every market and sentiment asset shares: partitions and policies, its tickers, its credentials."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dagster as dg
import psycopg

from valuation_platform.lib.partitions import US_TRADING_DAYS
from valuation_platform.sources.http import HttpClient

NETWORK_RETRY = dg.RetryPolicy(
    max_retries=2, delay=30, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)
# The demo run covers this many calendar days (runner.SAMPLE_DAYS_TAG), enough for 12-month returns and
# SMA200 to leave their warm-up; generator.market.SAMPLE_HISTORY_DAYS writes the same window.
SAMPLE_DAYS = 400


def session_asset_args(group: str, owner: str) -> dict[str, Any]:
    """``@dg.asset`` arguments of a daily asset on NYSE sessions: a partition range runs as one run."""
    return dict(
        group_name=group,
        owners=[owner],
        partitions_def=US_TRADING_DAYS,
        backfill_policy=dg.BackfillPolicy.single_run(),
        tags={"vp/sample_days": str(SAMPLE_DAYS)},
    )


def keyed_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each row's own session (``trade_date``) as its ``_partition_key``: one run writes many partitions."""
    return [{**row, "_partition_key": row["trade_date"].isoformat()} for row in rows]


def universe_tickers(conn: psycopg.Connection, ticker_filter: Sequence[str]) -> list[str]:
    """raw.us_universe (SEC domain), narrowed by VP_TICKERS when set; fails clearly when it is empty.

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
        raise dg.Failure(
            description="no tickers: raw.us_universe is empty"
            + (f" or holds none of VP_TICKERS={','.join(ticker_filter)}" if ticker_filter else "")
            + "; materialize us_universe first"
        )
    return tickers


def require_key(client: HttpClient, key: str | None, variable: str) -> str:
    """The API key, or a clear failure when live hosts are used without one (mirrors need none)."""
    if key:
        return key
    if client.mode == "live":
        raise dg.Failure(
            description=f"{variable} is not set: live requests need it (or point VP_SOURCE_ROOT at a mirror)"
        )
    return ""
