"""Fetch one document per key, sorting failures into what they mean for the run.

* a document a *mirror* does not hold: the mirror has no data for that key (as unfiltered SEC
  universes treat missing submissions); listed in the report, not quarantined. When the mirror holds
  NONE of the documents asked for, the source itself is missing: :class:`SourceUnavailable`;
* a transport failure that outlived the client's retries (429 storm, 5xx, timeouts): quarantined,
  and the step fails with :class:`IncompleteLoad` after loading everything else, so its retry policy
  re-runs it later and the idempotent loads make the re-run cheap: nothing is lost. When nothing at
  all could be reached, the source is down: :class:`SourceUnavailable` (retryable);
* anything else the parsers reject: quarantined with its reason, the rest lands.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import psycopg

from valuation_platform.pipelines.documents import fetch_all
from valuation_platform.pipelines.item_quarantine import refresh_quarantine
from valuation_platform.pipelines.report import IncompleteLoad, quarantine_report
from valuation_platform.sources.errors import FetchError, SourceError, SourceUnavailable

K = TypeVar("K")
T = TypeVar("T")
LOG = logging.getLogger(__name__)


@dataclass
class Load:
    """What one run fetched: rows to load and everything that did not become a row."""

    source: str  # the source named in errors ("polygon", "benzinga")
    what: str  # the kind of document, for messages ("aggregates", "news", "ratings")
    requests: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[SourceError] = field(default_factory=list)  # quarantined
    excerpts: dict[str, bytes] = field(default_factory=dict)  # quarantine excerpts by document
    documents: list[str] = field(default_factory=list)  # documents read (their old quarantine entries go)
    absent: list[str] = field(default_factory=list)  # keys (tickers, days) a mirror holds no document for
    absent_documents: list[str] = field(default_factory=list)
    transport: list[SourceError] = field(default_factory=list)  # also in rejected; fails the run at the end
    outside: int = 0  # items owned by sessions outside this run (another run loads them)

    def absorb(self, other: Load) -> None:
        """Add a follow-up fetch's bookkeeping (not its rows) to this one."""
        self.requests += other.requests
        self.rejected += other.rejected
        self.excerpts.update(other.excerpts)
        self.documents += other.documents
        self.absent += other.absent
        self.absent_documents += other.absent_documents
        self.transport += other.transport


def is_transport_failure(error: SourceError) -> bool:
    """Retries exhausted or a connection fault: the source may answer next time."""
    if not isinstance(error, FetchError):
        return False
    return error.status is None or error.status in (408, 429) or error.status >= 500


def fetch_each(keys: Sequence[K], fetch: Callable[[K], T], load: Load, *, mirror: bool) -> list[tuple[K, T]]:
    """``fetch`` every key concurrently; failures are sorted into ``load``, results returned in key order."""
    outcome = fetch_all(keys, fetch)
    load.requests += len(keys)
    for key, error in outcome.failed:
        if mirror and isinstance(error, FetchError) and error.status == 404:
            load.absent.append(str(key))
            load.absent_documents.append(error.document)
            continue
        load.rejected.append(error)
        if is_transport_failure(error):
            load.transport.append(error)
    return outcome.ok


def require_source(load: Load) -> None:
    """Before anything is written: fail the step alone when the source as a whole is not there.

    A mirror holding none of the documents asked for lacks the source (e.g. a mirror of SEC payloads
    only); a live host that answered none of them is down (retryable)."""
    if not load.requests:
        return
    if len(load.absent) == load.requests:
        raise SourceUnavailable(
            load.source,
            f"the mirror holds none of the {load.requests} {load.what} documents asked for "
            f"(first: {sorted(load.absent_documents)[0]})",
        )
    if len(load.transport) == load.requests:
        raise SourceUnavailable(
            load.source,
            f"none of the {load.requests} {load.what} documents could be fetched "
            f"(first error: {load.transport[0]})",
            retryable=True,
        )


def settle(conn: psycopg.Connection, load: Load, *, asset_key: str, log: Any = LOG) -> dict[str, Any]:
    """Record the run's quarantine state and return the report describing the fetch."""
    refresh_quarantine(
        conn, source=load.source, asset_key=asset_key, documents=load.documents, errors=load.rejected,
        excerpts=load.excerpts,
    )
    for error in load.rejected:
        log.warning(f"quarantined: {error}")
    report = quarantine_report(load.rejected, load.requests)
    report |= {"requests": load.requests, "items_owned_by_other_runs": load.outside}
    if load.absent:
        report["not_in_mirror"] = ", ".join(sorted(load.absent)[:50])
    return report


def fail_if_incomplete(load: Load, conn: psycopg.Connection | None = None) -> None:
    """After everything else landed: fail the step when documents stayed unreachable (so it is retried).

    Pass the step's ``conn`` when raising inside its connection block: it is committed first (a report's
    reads leave a transaction open on a non-autocommit connection, and the quarantine entries recorded
    inside it must survive the failure like the rows that landed)."""
    if conn is not None:
        conn.commit()
    if load.transport:
        raise IncompleteLoad(
            f"{len(load.transport)} {load.source} {load.what} document(s) stayed unreachable after retries; "
            "everything else was loaded and the run can simply be retried: "
            + "; ".join(str(e) for e in load.transport[:5])
        )
