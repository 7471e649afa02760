"""Loading long macro rows (MOSPI, market feeds, dropped files) into their raw release tables.

Every raw macro table is keyed by ``(series_id, ref_period, released_at)``: a revised figure is a new
row, the earlier release stays, and dbt picks the latest (``int_india__macro_releases``). A fetch that
repeats the latest known value under a newer ``released_at`` (an API that stamps the fetch time, a file
saved again) is a re-publication, not a revision, and is not stored: that keeps daily syncs idempotent.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import polars as pl
import psycopg
from psycopg import sql

from valuation_platform.sources.http import HttpClient, mirror_relpath
from valuation_platform.sources.india.market import MARKET_FEEDS, fetch_market_feed, market_feed_url
from valuation_platform.sources.mospi.client import SPECS, fetch_mospi_rows, mospi_url, release_params
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
# History a month's marts need besides the month itself. fct_macro_series computes YoY against the same
# period a year earlier, and a driver reads the latest observation of its series and the one before it.
# A quarterly series (GDP/GVA, PLFS quarterly) is out about five months after its quarter starts, so for
# month M its latest quarter may start at M-5, the quarter before at M-8 and that one's base at M-20:
# 24 months before the first month of a run cover every series' YoY and previous value.
HISTORY_MONTHS = 24
# A series that moves rarely (the repo rate: a decision every few months, unchanged for two years at a
# time) keeps its last observations before the history window, so its level and previous level are known.
SPARSE_OBSERVATIONS = 2
# A request's year counts as held when raw has its last quarter (publication lags keep the last month
# or two of a year out for weeks; the quarter start is what a quarterly series reports).
HELD_SLACK_MONTHS = 2


def month_key(day: date) -> str:
    """The INDIA_MACRO_MONTHS partition key of a reference period."""
    return date(day.year, day.month, 1).isoformat()


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def history_months(partition_keys: Sequence[str]) -> list[str]:
    """The :data:`HISTORY_MONTHS` months before the first of ``partition_keys`` (not among them)."""
    first = date.fromisoformat(min(partition_keys))
    keys = set(partition_keys)
    months = (add_months(first, -n).isoformat() for n in range(HISTORY_MONTHS, 0, -1))
    return [m for m in months if m not in keys]


def with_history(rows: Iterable[Mapping[str, Any]], months: Iterable[str]) -> list[dict[str, Any]]:
    """The rows of ``months``, plus the last :data:`SPARSE_OBSERVATIONS` periods before them of each series
    that has fewer inside (see the constant)."""
    wanted = set(months)
    start = min(wanted)
    kept: list[dict[str, Any]] = []
    inside: dict[str, set[date]] = defaultdict(set)
    before: dict[str, dict[date, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        key = month_key(row["ref_period"])
        if key in wanted:
            kept.append(dict(row))
            inside[row["series_id"]].add(row["ref_period"])
        elif key < start:
            before[row["series_id"]][row["ref_period"]].append(dict(row))
    for series_id, periods in before.items():
        missing = SPARSE_OBSERVATIONS - len(inside[series_id])
        for period in sorted(periods)[-missing:] if missing > 0 else ():
            kept += periods[period]
    return kept


def mospi_requests(partition_keys: Iterable[str]) -> list[tuple[str, int]]:
    """``(product, year)`` requests covering the months: calendar years, NAS fiscal years (April-March)."""
    months = [date.fromisoformat(k) for k in partition_keys]
    return sorted({(product, spec.request_year(m)) for product, spec in SPECS.items() for m in months})


def mospi_document(request: tuple[str, int]) -> str:
    """The request as the client and the parsers name it (the mirror path of the API call)."""
    product, year = request
    return mirror_relpath(mospi_url(product), release_params(product, year))


def held_requests(
    conn: psycopg.Connection, spec: TableSpec, requests: Sequence[tuple[str, int]]
) -> set[tuple[str, int]]:
    """The requests whose year ``spec``'s table already holds through its last quarter."""
    documents = {mospi_document(r): r for r in requests}
    query = sql.SQL("select document, max(ref_period) from {} where document = any(%s) group by document")
    with conn.transaction():
        loaded = conn.execute(query.format(spec.identifier), (list(documents),)).fetchall()
    held = set()
    for document, latest in loaded:
        product, year = documents[document]
        if latest >= add_months(SPECS[product].year_span(year)[1], -HELD_SLACK_MONTHS):
            held.add((product, year))
    return held


def plan_mospi(
    conn: psycopg.Connection, spec: TableSpec, partition_keys: Sequence[str]
) -> tuple[list[tuple[str, int]], list[str]]:
    """``(requests, months to keep)`` for a run over ``partition_keys``: every request of the run's own
    months (their releases and revisions), and the history's requests that the table does not hold yet."""
    history = history_months(partition_keys)
    own = mospi_requests(partition_keys)
    earlier = [r for r in mospi_requests(history) if r not in own]
    missing = [r for r in earlier if r not in held_requests(conn, spec, earlier)]
    return sorted({*own, *missing}), sorted({*partition_keys, *history})


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
