"""Splits and cash dividends of the US universe from Polygon's reference lists (whole market, filtered).

Each run reads the whole list (splits are rare and the factor table needs every one since the oldest
filing a ratio reads); records for tickers outside the universe are dropped, malformed ones quarantined.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any

import psycopg

from valuation_platform.pipelines.market.common import require_key, universe_tickers
from valuation_platform.pipelines.report import load_report, merge, quarantine_report, table_report
from valuation_platform.sources.errors import FetchError, SourceUnavailable
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.polygon.aggregates import SOURCE
from valuation_platform.sources.polygon.corporate_actions import ActionsResult, fetch_dividends, fetch_splits
from valuation_platform.warehouse.quarantine import quarantine
from valuation_platform.warehouse.tables import TableSpec
from valuation_platform.warehouse.tables.market import POLYGON_DIVIDENDS, POLYGON_SPLITS
from valuation_platform.warehouse.upsert import upsert


def _load(
    conn: psycopg.Connection,
    client: HttpClient,
    api_key: str | None,
    ticker_filter: Sequence[str],
    spec: TableSpec,
    fetch: Callable[[HttpClient, str], ActionsResult],
    asset_key: str,
) -> dict[str, Any]:
    key = require_key(client, api_key, source=SOURCE, setting="VP_POLYGON_API_KEY")
    tickers = set(universe_tickers(conn, ticker_filter))
    try:
        result = fetch(client, key)
    except FetchError as exc:  # a list we cannot read at all: the step fails alone
        raise SourceUnavailable(SOURCE, f"{exc.document}: {exc.reason}", retryable=client.mode == "live") from exc
    rows = [row for row in result.rows if row["ticker"] in tickers]
    loaded = upsert(conn, spec, rows, source=f"{SOURCE}:{spec.name}", fetched_at=datetime.now(timezone.utc))
    quarantine(conn, result.rejected, asset_key=asset_key)
    return merge(
        table_report(conn, spec.qualified, order_by=f"{spec.key[1]} desc, ticker"),
        load_report([loaded]),
        quarantine_report(result.rejected, len(result.rows) + len(result.rejected)),
        {
            "pages": len(result.documents),
            "listed": len(result.rows),
            "in_universe": len(rows),
            "origin": client.describe(),
        },
    )


def load_splits(
    conn: psycopg.Connection, client: HttpClient, api_key: str | None, ticker_filter: Sequence[str]
) -> dict[str, Any]:
    """Every split of the universe's tickers into raw.polygon_splits."""
    return _load(conn, client, api_key, ticker_filter, POLYGON_SPLITS, fetch_splits, "polygon_splits")


def load_dividends(
    conn: psycopg.Connection, client: HttpClient, api_key: str | None, ticker_filter: Sequence[str]
) -> dict[str, Any]:
    """Every cash dividend of the universe's tickers into raw.polygon_dividends."""
    return _load(conn, client, api_key, ticker_filter, POLYGON_DIVIDENDS, fetch_dividends, "polygon_dividends")
