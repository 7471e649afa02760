"""Polygon news: both real schemas, articles without tickers reported, pagination, faults."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.support.mirror_server import MirrorServer, body, status
from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.http import HttpClient, mirror_relpath
from valuation_platform.sources.polygon.news import fetch_news, news_request, parse_news, rejected_summary

SINCE = date(2025, 9, 1)
KEY = "news-key"
# The real page's next_url (limit=2 in the recorded request), as a cursor parameter.
REAL_CURSOR = (
    "YXA9MjAyNS0wOS0yMlQxNyUzQTU2JTNBMDBaJmFzPWM4ZDUzNzY5ZTE2MWQwMTFhYjc1Y2U4NDdmZWU2NTRkY2Y1MTVlYzQ4"
    "ZGFhMWJkNjQyMGM1NzVkMDZmNjkzZTUmbGltaXQ9MiZvcmRlcj1kZXNjZW5kaW5nJnRpY2tlcj1BQVBM"
)


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def _article(article_id: str, tickers, **extra) -> dict:
    return {
        "id": article_id,
        "publisher": {"name": "Benzinga"},
        "title": f"Title {article_id}",
        "published_utc": "2025-09-02T13:00:00Z",
        "article_url": f"https://example.com/{article_id}",
        "tickers": tickers,
        **extra,
    }


def test_real_page_with_insights(shared_fixtures):
    result = parse_news((shared_fixtures / "polygon" / "news_AAPL_2025-09-23.json").read_bytes(), "aapl-news")
    assert result.rejected == []
    assert len(result.rows) == 15  # 9 tickers on the first article, 6 on the second
    first = result.rows[0]
    assert first == {
        "article_id": "0cd2f478469eb7f957511b29eeb525cc8d160ec5476fdaba47ca4c91f9c41741",
        "ticker": "AAPL",
        "published_at": datetime(2025, 9, 23, 14, 32, tzinfo=UTC),
        "source": "Investing.com",
        "title": "These Under-$10 Stocks Are Up 100%+ This Quarter - And Some Still Have Room to Run",
        "description": first["description"],
        "url": "https://www.investing.com/analysis/these-under10-stocks-are-up-100-this-quarter--and-some-still-have-room-to-run-200667317",
        "provider_sentiment": "positive",
        "provider_sentiment_reasoning": "Mentioned as an example of a successful stock that previously traded at low share prices",
    }
    assert first["description"].startswith("The article explores undervalued stocks")
    assert [r["ticker"] for r in result.rows[9:]] == ["GOOG", "GOOGL", "AMZN", "AAPL", "META", "NFLX"]
    assert {r["provider_sentiment"] for r in result.rows} == {"positive"}
    assert all(r["published_at"].tzinfo is UTC for r in result.rows)


def test_older_schema_without_insights(shared_fixtures):
    result = parse_news((shared_fixtures / "polygon" / "news_NFLX.mock.json").read_bytes(), "nflx")
    assert [(r["ticker"], r["provider_sentiment"], r["source"]) for r in result.rows] == [
        ("MSFT", None, "MarketWatch"),
        ("TSN", None, "MarketWatch"),
        ("NFLX", None, "MarketWatch"),
        ("AMZN", None, "MarketWatch"),
    ]
    assert result.rows[0]["published_at"] == datetime(2022, 4, 28, 17, 8, tzinfo=UTC)


def test_articles_without_tickers_or_malformed_are_rejected_not_dropped():
    page = {
        "status": "OK",
        "results": [
            _article(
                "a1",
                ["AAA", "BBB"],
                insights=[
                    {"ticker": "BBB", "sentiment": "Negative"},
                    {"ticker": "ZZZ", "sentiment": "positive"},
                ],
            ),
            _article("a2", []),
            _article("a3", None),
            _article("a4", ["CCC"], published_utc="2025-09-02 13:00"),
            {**_article("a5", ["DDD"]), "title": "  "},
            _article("a6", ["EEE", "EEE"]),
        ],
    }
    result = parse_news(json.dumps(page).encode(), "doc")
    assert [(r["article_id"], r["ticker"], r["provider_sentiment"]) for r in result.rows] == [
        ("a1", "AAA", None),
        ("a1", "BBB", "negative"),  # lower-cased; the ZZZ insight has no ticker row and is ignored
        ("a6", "EEE", None),  # a repeated ticker is one row
    ]
    assert [(e.field, e.reason.split(":")[0]) for e in result.rejected] == [
        ("results[1].tickers", "article a2 ('Title a2') lists no tickers"),
        ("results[2].tickers", "article a3 ('Title a3') lists no tickers"),
        ("results[3].published_utc", "article a4"),
        ("results[4].title", "article a5 has no title"),
    ]
    assert rejected_summary(result.rejected)[0] == {
        "document": "doc",
        "field": "results[1].tickers",
        "reason": "article a2 ('Title a2') lists no tickers",
    }


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b'{"status":"ERROR","error":"bad key"}', "bad key"),
        (b'{"status":"OK","results":"nope"}', "expected a list"),
        (b'{"status":"OK","results":[', "malformed JSON"),
    ],
)
def test_bad_pages_raise(payload, message):
    with pytest.raises(SourceError, match=message):
        parse_news(payload, "doc")


def test_request_is_deterministic():
    url, params = news_request("AAPL", SINCE)
    assert mirror_relpath(url, params) == (
        "api.polygon.io/v2/reference/news?limit=100&order=asc&published_utc.gte=2025-09-01&sort=published_utc&ticker=AAPL"
    )


@pytest.fixture
def news_mirror(tmp_path: Path, shared_fixtures) -> Path:
    """The real AAPL page as page 1 (its real next_url), the NFLX mock as page 2."""
    url, params = news_request("AAPL", SINCE)
    for (u, p), name in (
        ((url, params), "news_AAPL_2025-09-23.json"),
        ((url, {"cursor": REAL_CURSOR}), "news_NFLX.mock.json"),
    ):
        path = tmp_path / mirror_relpath(u, p)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes((shared_fixtures / "polygon" / name).read_bytes())
    return tmp_path


def test_fetch_follows_the_real_next_url(news_mirror):
    result = fetch_news(HttpClient(source_root=news_mirror), "AAPL", SINCE, KEY)
    assert len(result.rows) == 15 + 4
    assert result.rows[-1]["ticker"] == "AMZN" and result.rows[-1]["article_id"].startswith("JeJEhAVo")


def test_fetch_over_http_with_faults(news_mirror):
    with MirrorServer(news_mirror) as server:
        server.add_faults("cursor=", status(429, retry_after="1"), status(502))
        sleeps = Sleeps()
        result = fetch_news(
            HttpClient(source_root=server.url, sleep=sleeps, backoff_base=0.01), "AAPL", SINCE, KEY
        )
        assert len(result.rows) == 19
        cursor_hits = [p for _, p, _ in server.requests if "cursor=" in p]
        assert len(cursor_hits) == 3 and all(f"apiKey={KEY}" in p for p in cursor_hits)
        assert 1.0 in sleeps
        server.add_faults("cursor=", body(b"<html>gateway</html>"))
        with pytest.raises(SourceError, match="malformed JSON") as err:
            fetch_news(HttpClient(source_root=server.url, sleep=sleeps), "AAPL", SINCE, KEY)
        assert "cursor=" in err.value.document
