"""Load the Form 4 filings of some filing dates: discover, fetch in batches, quarantine the bad ones.

Discovery per filing date: the daily form index; for a date whose index is not published (today, while
the sensor runs) the current-filings feed, fetched once per run. Filings already loaded are skipped
(a Form 4 never changes once accepted; a correction is a new 4/A accession), unless ``refetch``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import psycopg

from valuation_platform.pipelines.documents import fetch_all
from valuation_platform.pipelines.ownership.common import end_read_transaction, release_accessions
from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.sec.discovery import FilingRef, daily_index_refs, feed_refs
from valuation_platform.sources.sec.filing_index import FORM4_TYPES
from valuation_platform.sources.sec.form4 import fetch_form4
from valuation_platform.sources.sec.urls import SOURCE
from valuation_platform.warehouse.quarantine import quarantine
from valuation_platform.warehouse.tables.ownership import FORM4_FILINGS, FORM4_ROWS
from valuation_platform.warehouse.upsert import UpsertResult, upsert

ASSET_KEY = "sec_form4_transactions"  # the quarantine names the asset of the lines
BATCH_FILINGS = 250  # filings per warehouse flush: bounded memory, progress survives a late failure


@dataclass
class Form4Load:
    """What one load did (reported as materialization metadata)."""

    days: list[date]
    universe_ciks: int | None = None  # None: no universe loaded, every issuer kept
    missing_indexes: list[date] = field(default_factory=list)
    discovered: int = 0
    outside_universe: int = 0
    already_loaded: int = 0
    loaded: list[str] = field(default_factory=list)
    failed: list[tuple[FilingRef, SourceError]] = field(default_factory=list)
    results: list[UpsertResult] = field(default_factory=list)

    @property
    def errors(self) -> list[SourceError]:
        return [error for _, error in self.failed]

    @property
    def rows_in(self) -> int:
        return sum(r.rows_in for r in self.results if r.table == FORM4_ROWS.qualified)


def discover(client: HttpClient, days: Sequence[date], load: Form4Load) -> list[FilingRef]:
    """One ref per accession filed on ``days``: the daily index, else the feed (fetched at most once)."""
    refs: dict[str, FilingRef] = {}
    for day in days:
        found = daily_index_refs(client, day, FORM4_TYPES)
        if found is None:
            load.missing_indexes.append(day)
            continue
        for ref in found:
            refs.setdefault(ref.accession, ref)
    if load.missing_indexes:
        wanted = set(load.missing_indexes)
        for ref in feed_refs(client, "4", FORM4_TYPES):
            if ref.filing_date in wanted:
                refs.setdefault(ref.accession, ref)
    return list(refs.values())


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
        end_read_transaction(self.conn)
        by_day: dict[date, list[tuple[FilingRef, int, list[dict[str, Any]]]]] = defaultdict(list)
        for item in self.pending:
            by_day[item[0].filing_date].append(item)
        self.pending = []
        for day, items in sorted(by_day.items()):
            rows = [transaction_row(r) for _, _, parsed in items for r in parsed]
            filings = [filing_row(ref, cik, "loaded", len(parsed), None) for ref, cik, parsed in items]
            with self.conn.transaction():  # rows and their filing status land together or not at all
                self._drop_stale_rows({ref.accession: len(parsed) for ref, _, parsed in items})
                self.load.results.append(
                    upsert(
                        self.conn, FORM4_ROWS, rows, source=f"{SOURCE}:form4", partition_key=day.isoformat()
                    )
                )
                self.load.results.append(
                    upsert(
                        self.conn,
                        FORM4_FILINGS,
                        filings,
                        source=f"{SOURCE}:form4",
                        partition_key=day.isoformat(),
                    )
                )
            self.load.loaded.extend(ref.accession for ref, _, _ in items)

    def _drop_stale_rows(self, row_counts: dict[str, int]) -> None:
        """A refetched filing that now parses into fewer lines must not keep the old trailing ones."""
        self.conn.execute(
            "delete from raw.sec_form4_transactions t"
            " using unnest(%s::text[], %s::int[]) as n(accession, rows)"
            " where t.accession = n.accession and t.row_number >= n.rows",
            (list(row_counts), list(row_counts.values())),
        )


def load_form4(
    conn: psycopg.Connection,
    client: HttpClient,
    days: Sequence[date],
    *,
    universe_ciks: set[int] | None,
    refetch: bool = False,
    log: Callable[[str], None] = lambda _: None,
) -> Form4Load:
    """Discover, fetch and load the Form 4 filings of ``days``; bad documents are quarantined.

    ``universe_ciks`` keeps only filings naming one of those CIKs (the issuer); None keeps every filing.
    """
    load = Form4Load(days=sorted(days), universe_ciks=None if universe_ciks is None else len(universe_ciks))
    refs = discover(client, load.days, load)
    load.discovered = len(refs)
    if universe_ciks is not None:
        kept = [ref for ref in refs if (ref.issuer_cik in universe_ciks) or ref.involves(universe_ciks)]
        load.outside_universe = len(refs) - len(kept)
        refs = kept
    if not refetch and refs:
        done = {
            a
            for (a,) in conn.execute(
                "select accession from raw.sec_form4_filings where status = 'loaded' and accession = any(%s)",
                ([ref.accession for ref in refs],),
            ).fetchall()
        }
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
    end_read_transaction(conn)
    if load.failed:
        for day, items in _by_day(load.failed).items():
            upsert(
                conn,
                FORM4_FILINGS,
                [
                    filing_row(ref, ref.archive_cik(prefer), "quarantined", None, str(err))
                    for ref, err in items
                ],
                source=f"{SOURCE}:form4",
                partition_key=day.isoformat(),
            )
        quarantine(conn, load.errors, asset_key=ASSET_KEY)
    release_accessions(conn, ASSET_KEY, load.loaded)
    return load


def _by_day(failed: list[tuple[FilingRef, SourceError]]) -> dict[date, list[tuple[FilingRef, SourceError]]]:
    grouped: dict[date, list[tuple[FilingRef, SourceError]]] = defaultdict(list)
    for ref, error in failed:
        grouped[ref.filing_date].append((ref, error))
    return grouped
