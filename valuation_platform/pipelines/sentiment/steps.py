"""The steps behind the sentiment assets: one function per asset, each returning its report."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import psycopg

from valuation_platform.pipelines.fetching import Load, fail_if_incomplete, require_source, settle
from valuation_platform.pipelines.market.common import FeedRun, keyed_rows, universe_tickers
from valuation_platform.pipelines.market.window import RunWindow
from valuation_platform.pipelines.report import load_report, merge, table_report
from valuation_platform.pipelines.sentiment.feeds import (
    NewsLoad,
    RatingsLoad,
    fetch_news_rows,
    fetch_rating_rows,
    feed_starts,
    read_news,
    score,
)
from valuation_platform.sources.benzinga.ratings import SOURCE as BENZINGA
from valuation_platform.sources.polygon.aggregates import SOURCE as POLYGON
from valuation_platform.warehouse.tables import TableSpec
from valuation_platform.warehouse.tables.sentiment import BENZINGA_RATINGS, NEWS_SENTIMENT, POLYGON_NEWS
from valuation_platform.warehouse.upsert import upsert


def _load_feed(
    conn: psycopg.Connection,
    run: FeedRun,
    *,
    spec: TableSpec,
    source: str,
    setting: str,
    fetch: Callable[..., Load],
    order_by: str,
    describe: Callable[[Any], dict[str, Any]],
) -> dict[str, Any]:
    """A per-ticker feed: what each ticker needs (history or the run's days), fetch, land each item under
    its own session, record the quarantine; report it all, ``describe``'s feed-specific lines included."""
    starts = feed_starts(conn, spec, universe_tickers(conn, run.ticker_filter), run.window)
    load = fetch(run.client, run.key(source, setting), starts, run.window, mirror=run.mirror)
    require_source(load)
    result = upsert(conn, spec, keyed_rows(load.rows), source=f"{load.source}:{load.what}")
    report = merge(
        table_report(conn, spec.qualified, order_by=order_by),
        load_report([result]),
        settle(conn, load, asset_key=spec.name, log=run.log),
        _history_report(starts, run.window),
        describe(load),
        {"origin": run.client.describe()},
    )
    fail_if_incomplete(load, conn)
    return report


def _history_report(starts: dict[str, date], window: RunWindow) -> dict[str, Any]:
    behind = [t for t, start in starts.items() if start < window.fetch_start]
    return {"sessions": window.label(), "tickers": len(starts), "tickers_given_history": len(behind)}


def load_news(conn: psycopg.Connection, run: FeedRun) -> dict[str, Any]:
    """Polygon news of the run's sessions (and history for tickers with none stored), one row per pair."""

    def describe(load: NewsLoad) -> dict[str, Any]:
        return {
            "with_provider_sentiment": sum(r["provider_sentiment"] is not None for r in load.rows),
            "pairs_for_tickers_outside_universe": load.other_tickers,
        }

    return _load_feed(conn, run, spec=POLYGON_NEWS, source=POLYGON, setting="VP_POLYGON_API_KEY", fetch=fetch_news_rows,
                      order_by="published_at desc, ticker", describe=describe)


def score_news_sentiment(conn: psycopg.Connection, window: RunWindow) -> dict[str, Any]:
    """Score the run's stored news pairs (and history pairs not scored yet): provider, FinBERT or lexicon."""
    scored = score(read_news(conn, window))
    result = upsert(conn, NEWS_SENTIMENT, keyed_rows(scored.rows), source="analytics.sentiment")
    return merge(
        table_report(conn, NEWS_SENTIMENT.qualified, order_by="trade_date desc, ticker"),
        load_report([result]),
        {f"scored_by_{name}": count for name, count in sorted(scored.scorers.items())},
        {"sessions": window.label(), "finbert": scored.finbert},
    )


def load_ratings(conn: psycopg.Connection, run: FeedRun) -> dict[str, Any]:
    """Benzinga ratings of the run's sessions (and history for tickers with none stored)."""

    def describe(load: RatingsLoad) -> dict[str, Any]:
        for text in sorted(load.unknown_ratings):
            run.log.warning(f"rating string without a numeric mapping (left NULL): {text!r}")
        return {
            "unknown_rating_strings": ", ".join(sorted(load.unknown_ratings)) or "none",
            "unknown_rating_count": len(load.unknown_ratings),
        }

    return _load_feed(conn, run, spec=BENZINGA_RATINGS, source=BENZINGA, setting="VP_BENZINGA_API_KEY", fetch=fetch_rating_rows,
                      order_by="rating_date desc, ticker", describe=describe)
