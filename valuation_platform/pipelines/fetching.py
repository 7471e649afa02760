"""Fetch one document per key, sorting failures into what they mean for the run.

* a document a *mirror* does not hold: the mirror has no data for that key (as unfiltered SEC
  universes treat missing submissions); listed in metadata, not quarantined;
* a transport failure that outlived the client's retries (429 storm, 5xx, timeouts): quarantined,
  and the asset fails after loading everything else, so its RetryPolicy re-runs it later and the
  idempotent loads make the re-run cheap: nothing is lost;
* anything else the parsers reject: quarantined with its reason, the rest lands.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import dagster as dg
import psycopg

from valuation_platform.pipelines.documents import fetch_all
from valuation_platform.pipelines.market.common import keyed_rows
from valuation_platform.pipelines.item_quarantine import refresh_quarantine
from valuation_platform.pipelines.report import (
    load_report,
    merge,
    quarantine_report,
    table_report,
)
from valuation_platform.sources.errors import FetchError, SourceError
from valuation_platform.warehouse.tables import TableSpec
from valuation_platform.warehouse.upsert import upsert

K = TypeVar("K")
T = TypeVar("T")


@dataclass
class Load:
    """What one run fetched: rows to load and everything that did not become a row."""

    requests: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[SourceError] = field(default_factory=list)  # quarantined
    excerpts: dict[str, bytes] = field(default_factory=dict)  # quarantine excerpts by document
    documents: list[str] = field(default_factory=list)  # documents read (their old quarantine entries go)
    absent: list[str] = field(default_factory=list)  # keys a mirror holds no document for
    transport: list[SourceError] = field(default_factory=list)  # also in rejected; fails the run at the end
    outside: int = 0  # items owned by sessions outside this run (another run loads them)

    def absorb(self, other: Load) -> None:
        """Add a follow-up fetch's bookkeeping (not its rows) to this one."""
        self.requests += other.requests
        self.rejected += other.rejected
        self.excerpts.update(other.excerpts)
        self.documents += other.documents
        self.absent += other.absent
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
            continue
        load.rejected.append(error)
        if is_transport_failure(error):
            load.transport.append(error)
    return outcome.ok


def settle(conn: psycopg.Connection, load: Load, *, source: str, asset_key: str, log: Any) -> dict[str, Any]:
    """Record the run's quarantine state and return the metadata describing the fetch."""
    refresh_quarantine(
        conn, source=source, asset_key=asset_key, documents=load.documents, errors=load.rejected,
        excerpts=load.excerpts,
    )
    for error in load.rejected:
        log.warning(f"quarantined: {error}")
    meta = quarantine_report(load.rejected, load.requests)
    meta |= {"requests": load.requests, "items_owned_by_other_runs": load.outside}
    if load.absent:
        meta["not_in_mirror"] = ", ".join(sorted(load.absent)[:50])
    return meta


def load_rows(
    conn: psycopg.Connection,
    spec: TableSpec,
    load: Load,
    *,
    source: str,
    origin: str,
    asset_key: str,
    log: Any,
    order_by: str,
) -> dict[str, Any]:
    """Upsert the rows of a per-ticker feed (each keyed by its own session), record the quarantine, and
    describe the table and the fetch."""
    result = upsert(conn, spec, keyed_rows(load.rows), source=origin)
    return merge(
        table_report(conn, spec.qualified, order_by=order_by),
        load_report([result]),
        settle(conn, load, source=source, asset_key=asset_key, log=log),
    )


def fail_if_incomplete(load: Load) -> None:
    """After everything else landed: fail the step when a source stayed unreachable (so it is retried),
    or when a mirror held none of the documents asked for (a window mismatch, not an empty market)."""
    if load.transport:
        raise dg.Failure(
            description=(
                f"{len(load.transport)} document(s) stayed unreachable after retries; everything else was "
                "loaded and the run can simply be retried: " + "; ".join(str(e) for e in load.transport[:5])
            ),
            metadata={"unreachable": len(load.transport)},
        )
    if not load.requests - len(load.absent) and load.requests:
        raise dg.Failure(
            description=(
                "the mirror holds none of the documents this run asked for (first: "
                f"{sorted(load.absent)[0]}): does its market window match the run's sessions?"
            )
        )
