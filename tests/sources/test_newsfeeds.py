"""The feed parser against a peer: feedparser (the reference Python feed library) reads the same documents,
and every title, link and publication time must agree. Atom is the RFC 4287 section 1.1 example feed, whose
values the RFC itself states."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime

import feedparser
import pytest

from valuation_platform.generator.intelligence import write_intelligence_data
from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.http import mirror_relpath
from valuation_platform.sources.newsfeeds.feeds import DEFAULT_FEEDS, configured_feeds
from valuation_platform.sources.newsfeeds.parser import content_hash, parse_feed
from valuation_platform.sources.nse.announcements import is_announcements

RFC4287_EXAMPLE = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Example Feed</title>
  <link href="http://example.org/"/>
  <updated>2003-12-13T18:30:02Z</updated>
  <author><name>John Doe</name></author>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <entry>
    <title>Atom-Powered Robots Run Amok</title>
    <link href="http://example.org/2003/12/13/atom03"/>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <updated>2003-12-13T18:30:02Z</updated>
    <summary>Some text.</summary>
  </entry>
</feed>"""


def _peer(body: bytes) -> list[tuple[str, str, datetime | None]]:
    parsed = feedparser.parse(body)
    out = []
    for entry in parsed.entries:
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        when = datetime.fromtimestamp(calendar.timegm(stamp), UTC) if stamp else None
        out.append((entry.title, entry.link, when))
    return out


def test_atom_rfc4287_example() -> None:
    feed = parse_feed(RFC4287_EXAMPLE, document="example.org/atom")
    assert feed.format == "atom" and feed.title == "Example Feed" and feed.errors == []
    [item] = feed.items
    # RFC 4287 1.1: the entry's title, alternate link, id, updated and summary as printed there
    assert (item.title, item.url, item.guid, item.summary) == (
        "Atom-Powered Robots Run Amok", "http://example.org/2003/12/13/atom03",
        "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a", "Some text.")
    assert item.published_at == datetime(2003, 12, 13, 18, 30, 2, tzinfo=UTC)
    assert [(item.title, item.url, item.published_at)] == _peer(RFC4287_EXAMPLE)


def test_generated_rss_feeds_agree_with_feedparser(tmp_path) -> None:
    write_intelligence_data(tmp_path, date(2026, 11, 20), with_faults=False)
    for feed in (f for f in DEFAULT_FEEDS if not is_announcements(f.url)):  # NSE filings: JSON (test_nse_announcements)
        body = (tmp_path / mirror_relpath(feed.url)).read_bytes()
        parsed = parse_feed(body, document=feed.name)
        assert parsed.format == "rss" and parsed.errors == []
        ours = [(i.title, i.url, i.published_at) for i in parsed.items]
        assert ours == _peer(body), feed.name
        # the HTML of a news description (an <img> in CDATA) is stripped: feedparser's decoded summary, its
        # tags removed, is the same text
        for item, entry in zip(parsed.items, feedparser.parse(body).entries):
            assert item.summary == " ".join(re.sub(r"<[^>]+>", " ", entry.summary).split())


def test_rbi_release_time_is_read_in_its_own_offset(tmp_path) -> None:
    write_intelligence_data(tmp_path, date(2026, 11, 20), with_faults=False)
    body = (tmp_path / "rbi.org.in/pressreleases_rss.xml").read_bytes()
    first = parse_feed(body, document="rbi").items[0]
    # pubDate "Thu, 19 Nov 2026 10:00:00 +0530" is 04:30 UTC
    assert first.published_at == datetime(2026, 11, 19, 4, 30, tzinfo=UTC)


def test_naive_pubdate_is_read_as_india_time() -> None:
    body = (b'<rss version="2.0"><channel><title>t</title><item><title>Press release</title>'
            b"<link>https://rbi.org.in/x</link><pubDate>Thu, 19 Nov 2026 10:00:00</pubDate></item></channel></rss>")
    [item] = parse_feed(body, document="rbi").items
    assert item.published_at == datetime(2026, 11, 19, 4, 30, tzinfo=UTC)  # 10:00 IST = 04:30 UTC


def test_bad_documents_and_items() -> None:
    with pytest.raises(SourceError) as bad:
        parse_feed(b"<rss><channel><item><title>cut", document="www.livemint.com/rss/markets")
    assert "www.livemint.com/rss/markets" in str(bad.value) and "not well-formed XML" in str(bad.value)
    with pytest.raises(SourceError, match="neither RSS 2.0"):
        parse_feed(b"<html><body>Access denied</body></html>", document="x")
    body = (b'<rss version="2.0"><channel><title>t</title>'
            b"<item><title>No link here</title><guid isPermaLink=\"false\">id-1</guid></item>"
            b"<item><title>Good</title><link>https://a.example/1</link><pubDate>someday</pubDate></item>"
            b"<item><title>Kept</title><link>https://a.example/2</link></item></channel></rss>")
    parsed = parse_feed(body, document="feed")
    assert [i.title for i in parsed.items] == ["Kept"]
    assert [(e.field, e.reason) for e in parsed.errors] == [
        ("items[0].link", "item has neither a link nor a permalink guid"),
        ("items[1].pubDate", "date 'someday' is neither RFC 822 nor ISO 8601"),
    ]


def test_content_hash_ignores_case_and_spacing() -> None:
    assert content_hash("RBI cuts  repo rate", "By 25 bps.\n") == content_hash("rbi cuts repo rate", "by 25 bps.")
    assert content_hash("RBI cuts repo rate", "By 25 bps.") != content_hash("RBI cuts repo rate", "By 50 bps.")


def test_feed_setting() -> None:
    assert configured_feeds(None) == list(DEFAULT_FEEDS)
    feeds = configured_feeds("rbi=https://www.rbi.org.in/notifications_rss.xml, mint=https://www.livemint.com/rss/news")
    assert [(f.name, f.publisher, f.is_policy) for f in feeds] == [("rbi", "RBI", True), ("mint", "NEWS", False)]
    with pytest.raises(SourceError, match="pair 2 'oops' is not name=http"):
        configured_feeds("a=https://x.example/f,oops")
    with pytest.raises(SourceError, match="feed names repeat: a"):
        configured_feeds("a=https://x.example/f,a=https://y.example/g")
