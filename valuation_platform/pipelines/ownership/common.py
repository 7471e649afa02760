"""What both ownership loads share: finding filings (daily indexes + current feed), skipping those already
loaded, writing a partition's lines with their filings, releasing quarantine entries, and the report."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl
import psycopg
from psycopg import sql

from valuation_platform.pipelines.report import load_report, merge, table_report
from valuation_platform.sources.errors import FetchError, SourceError, SourceUnavailable
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.sec.discovery import FilingRef, daily_index_refs, feed_refs
from valuation_platform.sources.sec.filing_index import accession_nodash
from valuation_platform.sources.sec.urls import SOURCE
from valuation_platform.warehouse.tables import TableSpec
from valuation_platform.warehouse.replace import replace_partitions
from valuation_platform.warehouse.upsert import UpsertResult, upsert

INDEX_SOURCE = "sec-edgar-index"  # the daily form index and the current-filings feed, as one source

Log = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass(frozen=True)
class StepRun:
    """What an asset asks of a load step: its partition keys, whether to refetch loaded filings, a log."""

    partition_keys: Sequence[str]
    refetch: bool = False
    log: Log = _quiet


# A load step as the ownership assets call it: one report per raw table it wrote, keyed by asset name.
LoadStep = Callable[[psycopg.Connection, HttpClient, StepRun], dict[str, dict[str, Any]]]


# ---------------------------------------------------------------- discovery
@dataclass
class Discovery:
    """The filings found for some days, and which of EDGAR's listings could be read."""

    refs: list[FilingRef] = field(default_factory=list)
    indexes_read: list[date] = field(default_factory=list)
    indexes_missing: list[date] = field(default_factory=list)
    feed: str = "not needed"  # "N filings" | "not needed" | "unavailable: <why>"

    @property
    def feed_unavailable(self) -> bool:
        return self.feed.startswith("unavailable")

    def unreachable(self, days: Sequence[date]) -> str | None:
        """Why nothing could be listed (no index of any day, no feed), or None when something was."""
        if self.indexes_read or not self.feed_unavailable or not days:
            return None
        span = f"{min(days)}..{max(days)}" if len(days) > 1 else str(days[0])
        return f"no daily form index for {span} and the current-filings feed is {self.feed}"


def discover(
    client: HttpClient, days: Sequence[date], forms: Collection[str], *, feed_type: str, feed_always: bool
) -> Discovery:
    """One ref per accession of ``forms`` filed on ``days``: the daily indexes, plus the current-filings
    feed (asked for ``feed_type``) always, or only for the days whose index is not published yet.

    A missing index is expected (a day in progress, a mirror without it); an index EDGAR fails to serve
    after the client's retries makes the source unavailable. A feed that cannot be read is only noted:
    the indexes are the complete listing, the feed the live supplement.
    """
    found = Discovery()
    refs: dict[str, FilingRef] = {}
    for day in sorted(days):
        try:
            listed = daily_index_refs(client, day, forms)
        except FetchError as exc:  # 5xx / timeouts after retries (404 is "not published" -> None)
            raise SourceUnavailable(INDEX_SOURCE, f"daily form index {day}: {exc.reason}", retryable=True) from exc
        if listed is None:
            found.indexes_missing.append(day)
            continue
        found.indexes_read.append(day)
        for ref in listed:
            refs.setdefault(ref.accession, ref)
    if feed_always or found.indexes_missing:
        try:
            from_feed = feed_refs(client, feed_type, forms)
        except SourceError as exc:  # missing, down or malformed: the indexes still stand
            found.feed = f"unavailable: {exc.reason}"
        else:
            if not feed_always:  # only the days the indexes could not list
                unlisted = set(found.indexes_missing)
                from_feed = [ref for ref in from_feed if ref.filing_date in unlisted]
            found.feed = f"{len(from_feed)} filings"
            for ref in from_feed:
                refs.setdefault(ref.accession, ref)
    found.refs = list(refs.values())
    return found


def loaded_accessions(
    conn: psycopg.Connection, spec: TableSpec, accessions: Sequence[str], *, status: str | None = None
) -> set[str]:
    """Which of ``accessions`` ``spec``'s filings table already holds (with ``status``, when given)."""
    if not accessions:
        return set()
    query = sql.SQL("select accession from {} where accession = any(%s)").format(spec.identifier)
    params: tuple[Any, ...] = (list(accessions),)
    if status is not None:
        query += sql.SQL(" and status = %s")
        params += (status,)
    return {a for (a,) in conn.execute(query, params).fetchall()}


# ---------------------------------------------------------------- writing
def write_partition(
    conn: psycopg.Connection,
    partition_key: str,
    *,
    source: str,
    lines: tuple[TableSpec, pl.DataFrame | Sequence[Mapping[str, Any]]],
    filings: tuple[TableSpec, pl.DataFrame | Sequence[Mapping[str, Any]]],
    line_counts: Mapping[str, int],
) -> list[UpsertResult]:
    """Write one partition's filing lines and filing rows in one transaction (both land or neither).

    A filing's lines are one document: replaced whole (a refetched filing that now parses into fewer
    lines keeps no old trailing ones; one with none keeps none), skipped when its content is unchanged.
    """
    end_read_transaction(conn)
    lines_spec, line_rows = lines
    filings_spec, filing_rows = filings
    with conn.transaction():
        return [
            replace_partitions(conn, lines_spec, line_rows, scope=["accession"],
                               empty_scopes=[(a,) for a in line_counts], source=source, partition_key=partition_key),
            upsert(conn, filings_spec, filing_rows, source=source, partition_key=partition_key),
        ]


def release_accessions(conn: psycopg.Connection, asset_key: str, accessions: Collection[str]) -> int:
    """Delete this asset's quarantine entries that name one of ``accessions``.

    A filing can be quarantined under several document names (``Form 4 0001-..`` from the parser, the
    archive path with the 18-digit accession from the client), so entries are matched on either form.
    """
    if not accessions:
        return 0
    patterns = [f"%{a}%" for a in accessions] + [f"%{accession_nodash(a)}%" for a in accessions]
    with conn.transaction():
        cur = conn.execute(
            "delete from raw.quarantine where source = %s and asset_key = %s and document like any(%s)",
            (SOURCE, asset_key, patterns),
        )
    return cur.rowcount


def end_read_transaction(conn: psycopg.Connection) -> None:
    """Commit the implicit transaction a plain read opened (the connection is not autocommit), so every
    write block starts from an idle connection and its ``conn.transaction()`` is a real transaction."""
    if conn.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS:
        conn.commit()


# ---------------------------------------------------------------- reporting
def table_reports(
    conn: psycopg.Connection,
    tables: Iterable[tuple[TableSpec, str]],
    results: Sequence[UpsertResult],
    shared: Mapping[str, Any],
) -> dict[str, dict[str, Any]]:
    """One report per table (= per asset, keyed by the table's name): its preview and schema, the rows
    THIS run wrote to it (0 when none), and the load's shared figures."""
    return {
        spec.name: merge(
            table_report(conn, spec.qualified, order_by=order_by),
            {"dagster/row_count": 0},
            load_report([r for r in results if r.table == spec.qualified]),
            shared,
        )
        for spec, order_by in tables
    }


def log_quarantined(errors: Iterable[SourceError], log: Log) -> None:
    for error in errors:
        log(f"quarantined: {error}")
