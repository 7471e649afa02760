"""Load the Form 4 filings of some filing dates: discover, fetch in batches, quarantine the bad ones.

Discovery per filing date: the daily form index; for a date whose index is not published (today, while
the sensor runs) the current-filings feed, fetched once per run. Filings already loaded are skipped
(a Form 4 never changes once accepted; a correction is a new 4/A accession), unless ``refetch``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import psycopg

from valuation_platform.pipelines.documents import fetch_all
from valuation_platform.pipelines.ownership import common
from valuation_platform.pipelines.report import merge, quarantine_report
from valuation_platform.sources.errors import SourceError, SourceUnavailable
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.sec.discovery import FilingRef
from valuation_platform.sources.sec.filing_index import FORM4_TYPES
from valuation_platform.sources.sec.form4 import fetch_form4
from valuation_platform.sources.sec.urls import SOURCE
from valuation_platform.warehouse.quarantine import quarantine
from valuation_platform.warehouse.tables.ownership import FORM4_FILINGS, FORM4_ROWS
from valuation_platform.warehouse.tables.sec import US_UNIVERSE
from valuation_platform.warehouse.upsert import UpsertResult, upsert

ASSET_KEY = "sec_form4_transactions"  # the quarantine names the asset of the lines
BATCH_FILINGS = 250  # filings per warehouse flush: bounded memory, progress survives a late failure
LOAD_SOURCE = f"{SOURCE}:form4"
TABLES = [US_UNIVERSE, FORM4_FILINGS, FORM4_ROWS]  # what the step reads and writes


@dataclass
class Form4Load:
    """What one load did (reported as materialization metadata)."""

    days: list[date]
    universe_ciks: int | None = None  # None: no universe loaded, every issuer kept
    discovery: common.Discovery = field(default_factory=common.Discovery)
    outside_universe: int = 0
    already_loaded: int = 0
    loaded: list[str] = field(default_factory=list)
    failed: list[tuple[FilingRef, SourceError]] = field(default_factory=list)
    results: list[UpsertResult] = field(default_factory=list)

    @property
    def discovered(self) -> int:
        return len(self.discovery.refs)

    @property
    def missing_indexes(self) -> list[date]:
        return self.discovery.indexes_missing

    @property
    def errors(self) -> list[SourceError]:
        return [error for _, error in self.failed]

    @property
    def rows_in(self) -> int:
        return sum(r.rows_in for r in self.results if r.table == FORM4_ROWS.qualified)


def transaction_row(row: dict[str, Any]) -> dict[str, Any]:
    """A parsed Form 4 row as stored: owner CIKs as JSON plus the sorted key amendments are matched on."""
    owners = row["reporting_owner_ciks"]
    return row | {
        "reporting_owner_ciks": json.dumps(owners),
        "reporting_owner_key": ",".join(str(c) for c in sorted(owners)),
        "footnotes": json.dumps(row["footnotes"], sort_keys=True),
    }


def filing_row(
    ref: FilingRef, archive_cik: int, status: str, n_rows: int | None, reason: str | None
) -> dict[str, Any]:
    """The raw.sec_form4_filings row: where the filing was found, read from, and how it ended."""
    return {
        "accession": ref.accession,
        "form_type": ref.form_type,
        "filing_date": ref.filing_date,
        "filer_ciks": json.dumps(list(ref.filer_ciks)),
        "archive_cik": archive_cik,
        "discovered_via": ref.discovered_via,
        "status": status,
        "n_rows": n_rows,
        "reason": reason,
    }


class _Batches:
    """Parsed filings waiting for the next flush, upserted one filing date (= partition) at a time."""

    def __init__(self, conn: psycopg.Connection, load: Form4Load) -> None:
        self.conn, self.load = conn, load
        self.pending: list[tuple[FilingRef, int, list[dict[str, Any]]]] = []

    def add(self, ref: FilingRef, archive_cik: int, rows: list[dict[str, Any]]) -> None:
        self.pending.append((ref, archive_cik, rows))
        if len(self.pending) >= BATCH_FILINGS:
            self.flush()

    def flush(self) -> None:
        by_day: dict[date, list[tuple[FilingRef, int, list[dict[str, Any]]]]] = defaultdict(list)
        for item in self.pending:
            by_day[item[0].filing_date].append(item)
        self.pending = []
        for day, items in sorted(by_day.items()):
            self.load.results += common.write_partition(
                self.conn,
                day.isoformat(),
                source=LOAD_SOURCE,
                lines=(FORM4_ROWS, [transaction_row(r) for _, _, parsed in items for r in parsed]),
                filings=(FORM4_FILINGS, [filing_row(ref, cik, "loaded", len(rows), None) for ref, cik, rows in items]),
                line_counts={ref.accession: len(rows) for ref, _, rows in items},
            )
            self.load.loaded.extend(ref.accession for ref, _, _ in items)


def load_form4(
    conn: psycopg.Connection,
    client: HttpClient,
    days: Sequence[date],
    *,
    universe_ciks: set[int] | None,
    refetch: bool = False,
    log: common.Log = lambda _: None,
) -> Form4Load:
    """Discover, fetch and load the Form 4 filings of ``days``; bad documents are quarantined.

    ``universe_ciks`` keeps only filings naming one of those CIKs (the issuer); None keeps every filing.
    Raises :class:`SourceUnavailable` when neither a daily index of any of ``days`` nor the feed can be read.
    """
    load = Form4Load(days=sorted(days), universe_ciks=None if universe_ciks is None else len(universe_ciks))
    load.discovery = common.discover(client, load.days, FORM4_TYPES, feed_type="4", feed_always=False)
    if (why := load.discovery.unreachable(load.days)) is not None:
        raise SourceUnavailable(common.INDEX_SOURCE, f"Form 4: {why}")
    refs = load.discovery.refs
    if universe_ciks is not None:
        kept = [ref for ref in refs if (ref.issuer_cik in universe_ciks) or ref.involves(universe_ciks)]
        load.outside_universe = len(refs) - len(kept)
        refs = kept
    if not refetch:
        done = common.loaded_accessions(conn, FORM4_FILINGS, [ref.accession for ref in refs], status="loaded")
        load.already_loaded = len(done)
        refs = [ref for ref in refs if ref.accession not in done]
    log(f"form4: {load.discovered} filings discovered on {len(load.days)} days, {len(refs)} to fetch")

    prefer = universe_ciks or set()
    batches = _Batches(conn, load)
    outcome = fetch_all(
        refs,
        lambda ref: fetch_form4(client, ref.archive_cik(prefer), ref.accession, filing_date=ref.filing_date),
        on_result=lambda ref, rows: batches.add(ref, ref.archive_cik(prefer), rows),
    )
    batches.flush()
    load.failed = outcome.failed
    common.end_read_transaction(conn)
    failed_by_day: dict[date, list[dict[str, Any]]] = defaultdict(list)
    for ref, error in load.failed:  # the filing stays listed, marked quarantined with its reason
        failed_by_day[ref.filing_date].append(filing_row(ref, ref.archive_cik(prefer), "quarantined", None, str(error)))
    for day, rows in sorted(failed_by_day.items()):
        upsert(conn, FORM4_FILINGS, rows, source=LOAD_SOURCE, partition_key=day.isoformat())
    quarantine(conn, load.errors, asset_key=ASSET_KEY)
    common.release_accessions(conn, ASSET_KEY, load.loaded)
    return load


def universe_ciks(conn: psycopg.Connection) -> set[int] | None:
    """The universe's CIKs, or None while raw.us_universe is empty (then every issuer is kept)."""
    ciks = {cik for (cik,) in conn.execute("select distinct cik from raw.us_universe").fetchall()}
    return ciks or None


def form4_step(
    conn: psycopg.Connection, client: HttpClient, run: common.StepRun
) -> dict[str, dict[str, Any]]:
    """The Form 4 filings of the filing dates ``run.partition_keys``, loaded; one report per table."""
    days = [date.fromisoformat(key) for key in run.partition_keys]
    load = load_form4(conn, client, days, universe_ciks=universe_ciks(conn), refetch=run.refetch, log=run.log)
    common.log_quarantined(load.errors, run.log)
    attempted = load.discovered - load.outside_universe - load.already_loaded
    shared = merge(
        quarantine_report(load.errors, attempted),
        {
            "filing_dates": len(days),
            "filings_discovered": load.discovered,
            "filings_outside_universe": load.outside_universe,
            "filings_already_loaded": load.already_loaded,
            "filings_loaded": len(load.loaded),
            "universe_ciks": load.universe_ciks if load.universe_ciks is not None else "(no universe: all)",
            "days_without_index": ", ".join(d.isoformat() for d in load.missing_indexes) or "(none)",
            "current_feed": load.discovery.feed,
            "origin": client.describe(),
        },
    )
    return common.table_reports(
        conn,
        [(FORM4_ROWS, "filing_date desc, accession, row_number"), (FORM4_FILINGS, "filing_date desc, accession")],
        load.results,
        shared,
    )
