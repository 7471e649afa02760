"""The India macro steps the assets call: MOSPI releases and market feeds for a run's months (with the
history their marts need), and the macro files dropped into the landing folder.

Every step loads long macro rows into its raw release table (:mod:`.releases`), files what could not be
read in ``raw.quarantine`` and reports what the run wrote.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg

from valuation_platform.pipelines.documents import fetch_all
from valuation_platform.pipelines.fetching import Load, fail_if_incomplete, fetch_each, require_source, settle
from valuation_platform.pipelines.india.landing import MARKET, MOSPI_AREA, parse_macro_file, scan
from valuation_platform.pipelines.india.releases import (
    fetch_market,
    fetch_mospi,
    load_releases,
    market_documents,
    mospi_document,
    plan_mospi,
    with_history,
)
from valuation_platform.pipelines.report import load_report, merge, quarantine_report, table_report
from valuation_platform.sources.errors import SourceNotConfigured
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.india.market import MARKET_FEEDS
from valuation_platform.sources.india.market import SOURCE as MARKET_SOURCE
from valuation_platform.sources.mospi.series import MOSPI
from valuation_platform.warehouse.quarantine import quarantine, release
from valuation_platform.warehouse.tables import TableSpec
from valuation_platform.warehouse.tables.india import (
    INDIA_MACRO_FILES,
    INDIA_MARKET_INDICATORS,
    MOSPI_RELEASES,
)

MARKET_SETTING = "VP_INDIA_MARKET_BASE_URL"
ORDER = "series_id, ref_period desc, released_at desc"


def _store(conn: psycopg.Connection, spec: TableSpec, rows: list[dict[str, Any]], *, source: str,
           fetched_at: datetime) -> dict[str, Any]:
    """Load the rows that add information and describe what the run wrote."""
    result, republished = load_releases(conn, spec, rows, source=source, fetched_at=fetched_at)
    return merge(
        table_report(conn, spec.qualified, order_by=ORDER),
        load_report([result]),
        {
            "rows_parsed": len(rows),
            "republications_skipped": republished,
            "series_in_load": len({r["series_id"] for r in rows}),
        },
    )


def sync_mospi(
    conn: psycopg.Connection, client: HttpClient, partition_keys: Sequence[str], *, fetched_at: datetime
) -> dict[str, Any]:
    """MOSPI releases of the run's months, plus the history months the table does not hold yet."""
    requests, months = plan_mospi(conn, MOSPI_RELEASES, partition_keys)
    load = Load(source=MOSPI, what="release")
    fetched = fetch_each(requests, lambda r: fetch_mospi(client, r, fetched_at), load,
                         mirror=client.mode != "live")
    require_source(load)
    load.documents = [mospi_document(r) for r, _ in fetched]
    rows = with_history((row for _, part in fetched for row in part), months)
    report = _store(conn, MOSPI_RELEASES, rows, source=f"{MOSPI}:api", fetched_at=fetched_at)
    report |= settle(conn, load, asset_key="mospi_releases")
    report["history_from"] = months[0]
    fail_if_incomplete(load)
    return report


def sync_market(
    conn: psycopg.Connection,
    client: HttpClient,
    base_url: str | None,
    partition_keys: Sequence[str],
    *,
    fetched_at: datetime,
) -> dict[str, Any]:
    """The market indicator exports under ``base_url`` (VP_INDIA_MARKET_BASE_URL), rows of the run's months
    and their history. Each export holds a feed's whole history, so one fetch per feed covers both."""
    if not base_url:
        raise SourceNotConfigured(
            "india-market", MARKET_SETTING,
            "the market indicator exports have no public host; without a share they arrive through the "
            "India landing folder's market/ area",
        )
    _, months = plan_mospi(conn, MOSPI_RELEASES, partition_keys)  # the same months as the MOSPI run
    load = Load(source=MARKET_SOURCE, what="market export")
    feeds = sorted(MARKET_FEEDS)
    fetched = fetch_each(feeds, lambda f: fetch_market(client, f, base_url, fetched_at), load,
                         mirror=client.mode != "live")
    require_source(load)
    load.documents = [d for feed, _ in fetched for d in market_documents(feed, base_url)]
    rows = with_history((row for _, part in fetched for row in part), months)
    report = _store(conn, INDIA_MARKET_INDICATORS, rows, source=f"{MARKET_SOURCE}:{base_url}",
                    fetched_at=fetched_at)
    report |= settle(conn, load, asset_key="india_market_indicators")
    fail_if_incomplete(load)
    return report


def load_landing_macro(conn: psycopg.Connection, folder: Path, *, fetched_at: datetime) -> dict[str, Any]:
    """Every MOSPI and market file in the landing folder; a file that cannot be read is quarantined."""
    files = [f for f in scan(folder) if f.area in (MOSPI_AREA, MARKET)]
    outcome = fetch_all(files, parse_macro_file, workers=2)
    rows = [{**row, "document": f.relpath} for f, parsed in outcome.ok for row in parsed]
    report = _store(conn, INDIA_MACRO_FILES, rows, source=f"india_landing:{folder}", fetched_at=fetched_at)
    quarantine(conn, outcome.errors, asset_key="india_macro_files")
    for area, source in ((MOSPI_AREA, MOSPI), (MARKET, MARKET_SOURCE)):
        release(conn, source, [f.relpath for f, _ in outcome.ok if f.area == area])
    return report | quarantine_report(outcome.errors, len(files)) | {"folder": str(folder)}
