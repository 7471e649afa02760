"""News and analyst ratings for a run: fetch per ticker, attribute each item to the session owning it.

An item belongs to the first session on or after its New York date (weekend and holiday items to the
next session). A run asks each source for ``[start, ...]`` per ticker and keeps only items its sessions
(and, for a ticker's first fetch, its history sessions) own, so consecutive runs neither miss nor
double-count an item, and re-running a run rewrites the same rows.

History: a ticker with nothing stored in the history span before the run (a new ticker, a first run) is
fetched from the history start, so the 12-month consensus and the 30-day news windows have their data;
otherwise only the run's own days. One request per ticker either way: history costs bytes, not calls.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import psycopg
from psycopg import sql

from valuation_platform.analytics.sentiment import FinBertUnavailable, load_finbert, score_news
from valuation_platform.pipelines.fetching import Load, fetch_each
from valuation_platform.pipelines.item_quarantine import item_error
from valuation_platform.pipelines.market.window import HISTORY_SESSIONS, RunWindow
from valuation_platform.sources.benzinga.ratings import SOURCE as BENZINGA
from valuation_platform.sources.benzinga.ratings import fetch_ratings, ratings_request, unknown_rating_strings
from valuation_platform.sources.http import HttpClient, mirror_relpath
from valuation_platform.sources.market_calendar import trading_days_before
from valuation_platform.sources.polygon.aggregates import SOURCE as POLYGON
from valuation_platform.sources.polygon.news import fetch_news, news_request
from valuation_platform.warehouse.tables import TableSpec


def feed_starts(
    conn: psycopg.Connection, table: TableSpec, tickers: Sequence[str], window: RunWindow
) -> dict[str, date]:
    """Per ticker: the run's own days when ``table`` holds anything of it in the history span before the
    run, else the history start (items are sparse: absence of rows is the only signal there is)."""
    span_first = trading_days_before(window.first, HISTORY_SESSIONS)
    query = sql.SQL(
        "select distinct ticker from {} where ticker = any(%s) and trade_date >= %s and trade_date < %s"
    ).format(table.identifier)
    with conn.transaction():  # a read: committed before the loads
        known = {t for (t,) in conn.execute(query, (list(tickers), span_first, window.first)).fetchall()}
    return {t: window.fetch_start if t in known else window.history_start for t in tickers}


@dataclass
class NewsLoad(Load):
    source: str = POLYGON
    what: str = "news"
    other_tickers: int = 0  # (article, ticker) pairs for tickers outside the universe, not kept


def fetch_news_rows(
    client: HttpClient, api_key: str, starts: Mapping[str, date], window: RunWindow, *, mirror: bool
) -> NewsLoad:
    """One row per (article, universe ticker) owned by the run; unusable articles are quarantined."""
    load = NewsLoad()
    span = window.widened(min(starts.values()))
    got = fetch_each(sorted(starts), lambda t: fetch_news(client, t, starts[t], api_key), load, mirror=mirror)
    load.documents = [mirror_relpath(*news_request(t, starts[t])) for t, _ in got]
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for _, result in got:
        load.rejected += [item_error(e) for e in result.rejected]
        for row in result.rows:
            if row["ticker"] not in starts:
                load.other_tickers += 1
                continue
            owner = span.owner_of_moment(row["published_at"])
            if owner is None or row["published_at"].date() < starts[row["ticker"]]:
                load.outside += 1
                continue
            # an article listing two universe tickers comes back in both feeds: keep one row per pair
            seen[(row["article_id"], row["ticker"])] = {**row, "trade_date": owner}
    load.rows = list(seen.values())
    return load


@dataclass
class RatingsLoad(Load):
    source: str = BENZINGA
    what: str = "ratings"
    unknown_ratings: set[str] = field(default_factory=set)


def fetch_rating_rows(
    client: HttpClient, token: str, starts: Mapping[str, date], window: RunWindow, *, mirror: bool
) -> RatingsLoad:
    """Every rating of the tickers owned by the run (pages that cannot be read quarantine their ticker)."""
    load = RatingsLoad()
    span = window.widened(min(starts.values()))
    got = fetch_each(
        sorted(starts),
        lambda t: fetch_ratings(client, t, starts[t], window.last, token),
        load,
        mirror=mirror,
    )
    load.documents = [mirror_relpath(*ratings_request(t, starts[t], window.last)) for t, _ in got]
    rows: dict[str, dict[str, Any]] = {}
    for _, ratings in got:
        for row in ratings:
            owner = span.owner(row["rating_date"])
            if owner is None:
                load.outside += 1
                continue
            rows[row["rating_id"]] = {**row, "trade_date": owner}
    load.rows = list(rows.values())
    load.unknown_ratings = unknown_rating_strings(load.rows)
    return load


@dataclass
class Scored:
    rows: list[dict[str, Any]] = field(default_factory=list)
    scorers: Counter[str] = field(default_factory=Counter)
    finbert: str = ""


def score(rows: Sequence[dict[str, Any]]) -> Scored:
    """Provider label when present, else a local FinBERT (VP_FINBERT_PATH, never downloaded), else the
    offline lexicon."""
    try:
        finbert = load_finbert()
        note = f"loaded from {finbert.path}"
    except FinBertUnavailable as exc:
        finbert, note = None, f"not used: {exc}"
    scored = score_news(rows, finbert=finbert) if rows else []
    keep = ("article_id", "ticker", "trade_date", "sentiment_score", "sentiment_label", "scorer")
    return Scored(
        rows=[{k: row[k] for k in keep} for row in scored],
        scorers=Counter(row["scorer"] for row in scored),
        finbert=note,
    )


def read_news(conn: psycopg.Connection, window: RunWindow) -> list[dict[str, Any]]:
    """The stored (article, ticker) rows to score: every row the run's sessions own, and rows of the history
    span before it that have no score yet (the news a first fetch of a ticker brought in)."""
    with conn.transaction():  # a read: committed before the load (see common.universe_tickers)
        cur = conn.execute(
            """
            select n.article_id, n.ticker, n.trade_date, n.title, n.description, n.provider_sentiment
            from raw.polygon_news n
            where n.trade_date = any(%s)
               or (n.trade_date >= %s and n.trade_date < %s and not exists (
                       select 1 from analytics.news_sentiment s
                       where s.article_id = n.article_id and s.ticker = n.ticker))
            order by n.article_id, n.ticker
            """,
            (list(window.sessions), trading_days_before(window.first, HISTORY_SESSIONS), window.first),
        )
        columns = [d.name for d in cur.description or []]
        return [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]
