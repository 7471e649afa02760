"""marts.fct_news_events as its contract declares it, written by hand: the analysis step's input without a dbt
build of the feeds (tests that start from events, not from feed documents)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import psycopg

DDL = ("create table marts.fct_news_events (event_id text, published_at timestamptz, source text, feed text, "
       "title text, summary text, url text, content_hash text, companies text[], groups text[], subgroups text[], "
       "is_policy_release boolean, n_urls integer, first_seen_at timestamptz)")


def write_events(conn: psycopg.Connection, events: Sequence[tuple[str, str, str, str | None, Sequence[str]]],
                 published: datetime, seen: datetime) -> None:
    """``events``: (event_id, publisher, title, summary, groups), published a minute apart from ``published``."""
    conn.execute(DDL)
    for n, (event_id, publisher, title, summary, groups) in enumerate(events):
        conn.execute("insert into marts.fct_news_events values (%s, %s + %s * interval '1 minute', %s, 'feed', %s, "
                     "%s, %s, %s, '{}', %s, '{}', %s, 1, %s)",
                     (event_id, published, n, publisher, title, summary, f"https://news.example/{event_id}",
                      event_id, list(groups), publisher in ("RBI", "SEBI", "PIB"), seen))
