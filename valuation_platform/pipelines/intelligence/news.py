"""The news scan: every configured feed fetched and parsed, its items upserted into raw.news_items (RSS/Atom
feeds, and NSE's corporate-announcements API for company filings).

A feed answers only its latest items, so each scan upserts what the feeds list now (natural key: the item
URL); history is what the scans keep. A feed that is unreachable or not a feed is quarantined with its reason
and the other feeds land; an item without a title or link is quarantined as ``<feed>#items[i]``. The same
story under two URLs keeps both rows here (raw is what the publishers said); fct_news_events keeps one event
per content hash.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import Any

import psycopg

from valuation_platform.pipelines.fetching import Load, fail_if_incomplete, fetch_each, require_source, settle
from valuation_platform.pipelines.item_quarantine import item_error
from valuation_platform.pipelines.report import load_report, merge, table_report
from valuation_platform.sources.http import HttpClient, mirror_relpath
from valuation_platform.sources.newsfeeds.feeds import SOURCE, Feed
from valuation_platform.sources.newsfeeds.parser import ParsedFeed, parse_feed
from valuation_platform.sources.nse.announcements import is_announcements, parse_announcements
from valuation_platform.sources.nse.fields import API_HEADERS
from valuation_platform.warehouse.tables.intelligence import NEWS_ITEMS
from valuation_platform.warehouse.upsert import upsert


def item_rows(feed: Feed, parsed: ParsedFeed) -> list[dict[str, Any]]:
    return [
        {
            "url": item.url, "content_hash": item.content_hash, "feed": feed.name, "publisher": feed.publisher,
            "feed_url": feed.url, "guid": item.guid, "title": item.title, "summary": item.summary,
            # in UTC: feeds give fixed offsets (+0530) or none (read as Asia/Kolkata); one type for the frame
            "published_at": item.published_at.astimezone(UTC) if item.published_at else None,
            "categories": list(item.categories),
        }
        for item in parsed.items
    ]


def load_news(conn: psycopg.Connection, client: HttpClient, feeds: Sequence[Feed], *, asset_key: str
              ) -> dict[str, Any]:
    load = Load(source=SOURCE, what="feed")

    def read(feed: Feed) -> ParsedFeed:
        document = mirror_relpath(feed.url)
        if is_announcements(feed.url):  # NSE filings: a JSON API behind the exchange's browser checks
            return parse_announcements(client.get_bytes(feed.url, source=SOURCE, headers=API_HEADERS),
                                       document=document)
        return parse_feed(client.get_bytes(feed.url, source=SOURCE), document=document)

    got = fetch_each(list(feeds), read, load, mirror=client.mode != "live")
    require_source(load)
    load.documents = [mirror_relpath(feed.url) for feed, _ in got]
    per_feed: dict[str, int] = {}
    for feed, parsed in got:
        load.rejected += [item_error(e) for e in parsed.errors]
        rows = item_rows(feed, parsed)
        per_feed[feed.name] = len(rows)
        load.rows += rows
    result = upsert(conn, NEWS_ITEMS, load.rows, source=SOURCE)
    hashes = [row["content_hash"] for row in load.rows]
    report = merge(
        table_report(conn, NEWS_ITEMS.qualified, order_by="published_at desc nulls last"),
        load_report([result]),
        settle(conn, load, asset_key=asset_key),
        {
            "feeds_configured": len(feeds),
            "feeds_read": len(got),
            "items_by_feed": ", ".join(f"{k}: {v}" for k, v in sorted(per_feed.items())) or "none",
            "new_items": result.inserted,
            "same_story_other_url": len(hashes) - len(set(hashes)),
            "items_quarantined": sum(1 for e in load.rejected if "#" in e.document),
        },
    )
    fail_if_incomplete(load, conn)
    return report
