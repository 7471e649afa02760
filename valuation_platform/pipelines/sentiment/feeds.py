"""News and analyst ratings for a run: fetch per ticker, attribute each item to the session owning it.

An item belongs to the first session on or after its New York date (weekend and holiday items to the
next session). A run asks each source for ``[fetch_start, last]`` and keeps only items its sessions own,
so consecutive runs neither miss nor double-count an item, and re-running a run rewrites the same rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg

from valuation_platform.analytics.sentiment import FinBertUnavailable, load_finbert, score_news
from valuation_platform.pipelines.fetching import Load, fetch_each
from valuation_platform.pipelines.item_quarantine import item_error
from valuation_platform.pipelines.market.window import RunWindow
from valuation_platform.sources.benzinga.ratings import fetch_ratings, ratings_request, unknown_rating_strings
from valuation_platform.sources.http import HttpClient, mirror_relpath
from valuation_platform.sources.polygon.news import fetch_news, news_request


@dataclass
class NewsLoad(Load):
    other_tickers: int = 0  # (article, ticker) pairs for tickers outside the universe, not kept


def fetch_news_rows(
    client: HttpClient, api_key: str, tickers: Sequence[str], window: RunWindow, *, mirror: bool
) -> NewsLoad:
    """One row per (article, universe ticker) owned by the run; unusable articles are quarantined."""
    load = NewsLoad()
    universe = set(tickers)
    got = fetch_each(
        list(tickers), lambda t: fetch_news(client, t, window.fetch_start, api_key), load, mirror=mirror
    )
    load.documents = [mirror_relpath(*news_request(t, window.fetch_start)) for t, _ in got]
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for _, result in got:
        load.rejected += [item_error(e) for e in result.rejected]
        for row in result.rows:
            if row["ticker"] not in universe:
                load.other_tickers += 1
                continue
            owner = window.owner_of_moment(row["published_at"])
            if owner is None:
                load.outside += 1
                continue
            # an article listing two universe tickers comes back in both feeds: keep one row per pair
            seen[(row["article_id"], row["ticker"])] = {**row, "trade_date": owner}
    load.rows = list(seen.values())
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


@dataclass
class RatingsLoad(Load):
    unknown_ratings: set[str] = field(default_factory=set)


def fetch_rating_rows(
    client: HttpClient, token: str, tickers: Sequence[str], window: RunWindow, *, mirror: bool
) -> RatingsLoad:
    """Every rating of ``tickers`` owned by the run (pages that cannot be read quarantine their ticker)."""
    load = RatingsLoad()
    got = fetch_each(
        list(tickers),
        lambda t: fetch_ratings(client, t, window.fetch_start, window.last, token),
        load,
        mirror=mirror,
    )
    load.documents = [mirror_relpath(*ratings_request(t, window.fetch_start, window.last)) for t, _ in got]
    rows: dict[str, dict[str, Any]] = {}
    for _, ratings in got:
        for row in ratings:
            owner = window.owner(row["rating_date"])
            if owner is None:
                load.outside += 1
                continue
            rows[row["rating_id"]] = {**row, "trade_date": owner}
    load.rows = list(rows.values())
    load.unknown_ratings = unknown_rating_strings(load.rows)
    return load


def read_news(conn: psycopg.Connection, window: RunWindow) -> list[dict[str, Any]]:
    """The stored (article, ticker) rows the run's sessions own, with what the scorers read."""
    with conn.transaction():  # a read: committed before the load (see common.universe_tickers)
        cur = conn.execute(
            "select article_id, ticker, trade_date, title, description, provider_sentiment"
            " from raw.polygon_news where trade_date = any(%s) order by article_id, ticker",
            (list(window.sessions),),
        )
        columns = [d.name for d in cur.description or []]
        return [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]
