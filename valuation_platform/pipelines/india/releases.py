"""Loading long macro rows (MOSPI, market feeds, dropped files) into their raw release tables.

Every raw macro table is keyed by ``(series_id, ref_period, released_at)``: a revised figure is a new
row, the earlier release stays, and dbt picks the latest (``int_india__macro_releases``). A fetch that
repeats the latest known value under a newer ``released_at`` (an API that stamps the fetch time, a file
saved again) is a re-publication, not a revision, and is not stored: that keeps daily syncs idempotent.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import polars as pl
import psycopg
from psycopg import sql

from valuation_platform.sources.http import HttpClient, mirror_relpath
from valuation_platform.sources.india.market import MARKET_FEEDS, fetch_market_feed, market_feed_url
from valuation_platform.sources.mospi.client import ENDPOINTS, fetch_mospi_rows, mospi_url, release_params
from valuation_platform.warehouse.tables import TableSpec
from valuation_platform.warehouse.upsert import UpsertResult, upsert

FRAME_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.Utf8(),
    "series_id": pl.Utf8(),
    "series_name": pl.Utf8(),
    "geography": pl.Utf8(),
    "sector": pl.Utf8(),
    "frequency": pl.Utf8(),
    "ref_period": pl.Date(),
    "value": pl.Float64(),
    "unit": pl.Utf8(),
    "released_at": pl.Datetime("us", "UTC"),
    "document": pl.Utf8(),
    "_partition_key": pl.Utf8(),
}


def month_key(day: date) -> str:
    """The INDIA_MACRO_MONTHS partition key of a reference period."""
    return date(day.year, day.month, 1).isoformat()


def in_partitions(rows: Iterable[Mapping[str, Any]], keys: set[str]) -> list[dict[str, Any]]:
    return [dict(r) for r in rows if month_key(r["ref_period"]) in keys]


def mospi_requests(partition_keys: Sequence[str]) -> list[tuple[str, int]]:
    """``(product, year)`` requests covering the months: calendar years; NAS by fiscal year (Apr-Mar)."""
    months = [date.fromisoformat(k) for k in partition_keys]
    out: set[tuple[str, int]] = set()
    for product in ENDPOINTS:
        for m in months:
            out.add((product, (m.year if m.month >= 4 else m.year - 1) if product == "nas" else m.year))
    return sorted(out)


def mospi_document(request: tuple[str, int]) -> str:
    """The request as the client and the parsers name it (the mirror path of the API call)."""
    product, year = request
    return mirror_relpath(mospi_url(product), release_params(product, year))


def fetch_mospi(client: HttpClient, request: tuple[str, int], fetched_at: datetime) -> list[dict[str, Any]]:
    product, year = request
    rows = fetch_mospi_rows(client, product, release_params(product, year), released_at=fetched_at)
    document = mospi_document(request)
    return [{**r, "document": document} for r in rows]


def market_documents(feed: str, base_url: str) -> list[str]:
    """Both names a feed's problems are filed under: the URL (parser) and its mirror path (transport)."""
    url = market_feed_url(feed, base_url)
    return [url, mirror_relpath(url)]


def fetch_market(client: HttpClient, feed: str, base_url: str, fetched_at: datetime) -> list[dict[str, Any]]:
    # Daily closes are released at their own close; long files fall back to the fetch time for blank cells.
    fallback = None if MARKET_FEEDS[feed].layout == "investing" else fetched_at
    rows = fetch_market_feed(client, feed, base_url=base_url, released_at=fallback)
    document = market_feed_url(feed, base_url)
    return [{**r, "document": document} for r in rows]


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def drop_republications(
    conn: psycopg.Connection, spec: TableSpec, rows: Sequence[Mapping[str, Any]]
) -> tuple[list[dict[str, Any]], int]:
    """Rows that add a period, a revision, an older release or a correction of a stored release."""
    if not rows:
        return [], 0
    series = sorted({r["series_id"] for r in rows})
    periods = [r["ref_period"] for r in rows]
    with conn.transaction():  # closed before the upsert, whose staging table lives for its own transaction
        stored = conn.execute(
            sql.SQL(
                "select series_id, ref_period, released_at, value from {} "
                "where series_id = any(%s) and ref_period between %s and %s"
            ).format(spec.identifier),
            (series, min(periods), max(periods)),
        ).fetchall()
    history: dict[tuple[str, date], dict[datetime, float | None]] = {}
    for series_id, period, released_at, value in stored:
        history.setdefault((series_id, period), {})[released_at] = value
    kept: list[dict[str, Any]] = []
    dropped = 0
    for row in sorted(rows, key=lambda r: r["released_at"]):
        releases = history.setdefault((row["series_id"], row["ref_period"]), {})
        released_at = row["released_at"]
        if released_at not in releases:
            earlier = [at for at in releases if at < released_at]
            if earlier and _same(releases[max(earlier)], row["value"]):
                dropped += 1
                continue
        releases[released_at] = row["value"]
        kept.append(dict(row))
    return kept, dropped


def macro_frame(rows: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    """Rows as a typed frame with each row's partition key (its reference month)."""
    return pl.DataFrame(
        [{**{k: r.get(k) for k in FRAME_SCHEMA if k != "_partition_key"},
          "_partition_key": month_key(r["ref_period"])} for r in rows],
        schema=FRAME_SCHEMA,
    )


def load_releases(
    conn: psycopg.Connection,
    spec: TableSpec,
    rows: Sequence[Mapping[str, Any]],
    *,
    source: str,
    fetched_at: datetime,
) -> tuple[UpsertResult, int]:
    """Upsert the rows that add information; returns the upsert result and the re-publications skipped."""
    kept, republished = drop_republications(conn, spec, rows)
    return upsert(conn, spec, macro_frame(kept), source=source, fetched_at=fetched_at), republished
