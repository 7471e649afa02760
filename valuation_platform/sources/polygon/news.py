"""Polygon ticker news: ``GET /v2/reference/news`` (paginated by ``next_url``).

Request: ``ticker``, ``published_utc.gte`` (a date, so the mirror file name does not depend on the
time of day), ``limit`` (:data:`NEWS_LIMIT`), ``order=asc``, ``sort=published_utc``, ``apiKey``.

An article is ``{id, publisher{name,...}, title, author, published_utc, article_url, tickers[],
description?, keywords?, insights?[{ticker, sentiment, sentiment_reasoning}]}``; ``insights`` is
the newer schema (2024+), older articles lack it.

Rows (dicts), one per (article_id, ticker) for every ticker the article lists:
article_id (str), ticker (str), published_at (datetime, tz UTC), source (publisher name, str | None),
title (str), description (str | None), url (article_url, str | None), provider_sentiment (the
``insights`` label for that ticker, lower case, or None), provider_sentiment_reasoning (str | None).
Insights for a ticker the article does not list are ignored.

An article that cannot become rows (no tickers, no id, no title, a bad timestamp) does not fail the
page: it is returned in ``rejected`` as a :class:`SourceError` naming the article, so the caller can
quarantine and report it. A malformed page (bad JSON, status not OK, ``results`` not a list) raises.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.polygon.aggregates import BASE_URL, SOURCE, iter_pages, load_payload

NEWS_URL = f"{BASE_URL}/v2/reference/news"
NEWS_LIMIT = 100  # per page; Polygon allows up to 1000


@dataclass
class NewsResult:
    rows: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[SourceError] = field(default_factory=list)


def news_request(
    ticker: str, published_since: date, *, limit: int = NEWS_LIMIT
) -> tuple[str, dict[str, Any]]:
    """``(url, params)`` of a ticker's news published on or after ``published_since``, without the key."""
    return NEWS_URL, {
        "limit": limit,
        "order": "asc",
        "published_utc.gte": published_since.isoformat(),
        "sort": "published_utc",
        "ticker": ticker,
    }


def _text(raw: Any) -> str | None:
    return raw.strip() if isinstance(raw, str) and raw.strip() else None


def _published(raw: Any) -> datetime:
    if not isinstance(raw, str):
        raise TypeError(f"not a string: {raw!r}")
    moment = datetime.fromisoformat(raw)
    if moment.tzinfo is None:
        raise ValueError(f"no time zone: {raw!r}")
    return moment.astimezone(UTC)


def _article_rows(item: Any, document: str, where: str) -> list[dict[str, Any]]:
    """The rows of one article, or :class:`SourceError` saying why it has none."""
    if not isinstance(item, dict):
        raise SourceError(SOURCE, document, "article is not an object", field=where)
    article_id = _text(item.get("id"))
    if article_id is None:
        raise SourceError(
            SOURCE, document, f"article without an id: {item.get('title')!r}", field=f"{where}.id"
        )
    title = _text(item.get("title"))
    if title is None:
        raise SourceError(SOURCE, document, f"article {article_id} has no title", field=f"{where}.title")
    try:
        published_at = _published(item.get("published_utc"))
    except (TypeError, ValueError) as exc:
        raise SourceError(
            SOURCE,
            document,
            f"article {article_id}: bad published_utc ({exc})",
            field=f"{where}.published_utc",
        ) from exc
    tickers = item.get("tickers")
    if not isinstance(tickers, list) or not [t for t in tickers if _text(t)]:
        raise SourceError(
            SOURCE,
            document,
            f"article {article_id} ({title[:60]!r}) lists no tickers",
            field=f"{where}.tickers",
        )
    insights: dict[str, tuple[str | None, str | None]] = {}
    for j, insight in enumerate(item.get("insights") or []):
        if not isinstance(insight, dict) or not _text(insight.get("ticker")):
            raise SourceError(
                SOURCE, document, f"article {article_id}: bad insight", field=f"{where}.insights[{j}]"
            )
        label = _text(insight.get("sentiment"))
        insights[insight["ticker"].strip()] = (
            label.lower() if label else None,
            _text(insight.get("sentiment_reasoning")),
        )
    publisher = item.get("publisher") if isinstance(item.get("publisher"), dict) else {}
    rows = []
    for ticker in dict.fromkeys(t.strip() for t in tickers if _text(t)):  # unique, in the article's order
        sentiment, reasoning = insights.get(ticker, (None, None))
        rows.append(
            {
                "article_id": article_id,
                "ticker": ticker,
                "published_at": published_at,
                "source": _text(publisher.get("name")),
                "title": title,
                "description": _text(item.get("description")),
                "url": _text(item.get("article_url")),
                "provider_sentiment": sentiment,
                "provider_sentiment_reasoning": reasoning,
            }
        )
    return rows


def _page(payload: dict[str, Any], document: str, result: NewsResult, seen: set[tuple[str, str]]) -> None:
    results = payload.get("results")
    if results is None:
        return
    if not isinstance(results, list):
        raise SourceError(SOURCE, document, f"expected a list, got {type(results).__name__}", field="results")
    for i, item in enumerate(results):
        try:
            rows = _article_rows(item, document, f"results[{i}]")
        except SourceError as exc:
            result.rejected.append(exc)
            continue
        for row in rows:
            key = (row["article_id"], row["ticker"])
            if key not in seen:  # the same article can come back on a later page
                seen.add(key)
                result.rows.append(row)


def parse_news(body: bytes, document: str) -> NewsResult:
    """Rows and rejected articles of one news page."""
    result = NewsResult()
    _page(load_payload(body, document), document, result, set())
    return result


def fetch_news(
    client: HttpClient, ticker: str, published_since: date, api_key: str, *, limit: int = NEWS_LIMIT
) -> NewsResult:
    """All news for ``ticker`` published on or after ``published_since``, every page, oldest first."""
    url, params = news_request(ticker, published_since, limit=limit)
    result = NewsResult()
    seen: set[tuple[str, str]] = set()
    for document, payload in iter_pages(client, url, params, api_key):
        _page(payload, document, result, seen)
    return result


def rejected_summary(rejected: Iterable[SourceError]) -> list[dict[str, str | None]]:
    """Rejected articles as plain dicts (document, field, reason) for asset metadata or a quarantine table."""
    return [{"document": e.document, "field": e.field, "reason": e.reason} for e in rejected]
