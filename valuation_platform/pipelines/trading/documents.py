"""Fetch a run's NSE documents and sort what came back: rows to load, rows and documents to quarantine.

A document the parser rejects as a whole (a foreign header, NSE's ``{}`` without cookies) is quarantined
under its own name; a row that breaks the layout is quarantined as ``<document>#<line>`` and the rest of
the document lands. Absent mirror files, unreachable hosts and the retry after an outage follow
:mod:`valuation_platform.pipelines.fetching`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import psycopg

from valuation_platform.pipelines.fetching import Load, fail_if_incomplete, fetch_each, require_source, settle
from valuation_platform.pipelines.item_quarantine import item_error
from valuation_platform.pipelines.report import load_report, merge, table_report
from valuation_platform.sources.http import HttpClient, mirror_relpath
from valuation_platform.sources.nse.fields import API_HEADERS, Parsed
from valuation_platform.warehouse.upsert import UpsertResult

SOURCE = "nse"


@dataclass(frozen=True)
class NseDocument:
    """One request: where it goes, how its body is read, and what every row it yields is stamped with."""

    kind: str  # what it is, for grouping rows ("BOARD_MEETING", "EQUITY_L", "BULK")
    url: str
    parse: Callable[[bytes, str], Parsed] = field(compare=False)  # (body, document name) -> rows and errors
    params: Mapping[str, str] = field(default_factory=dict)
    stamp: Mapping[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return mirror_relpath(self.url, self.params)

    def __hash__(self) -> int:
        return hash(self.name)


@dataclass
class Fetched:
    load: Load
    rows: dict[NseDocument, list[dict[str, Any]]]  # documents read, with their good rows

    def rows_of(self, kind: str) -> list[dict[str, Any]]:
        return [row for doc, rows in self.rows.items() if doc.kind == kind for row in rows]


def fetch_documents(
    client: HttpClient, documents: Sequence[NseDocument], *, what: str, source: str = SOURCE,
    headers: Mapping[str, str] = API_HEADERS,
) -> Fetched:
    """Fetch and parse every document; raises ``SourceUnavailable`` when none of them could be had.
    ``source``/``headers``: NSE's by default; the NSDL page goes through the same path under its own name."""
    load = Load(source=source, what=what)

    def read(doc: NseDocument) -> Parsed:
        return doc.parse(client.get_bytes(doc.url, source=source, params=doc.params, headers=headers), doc.name)

    got = fetch_each(list(documents), read, load, mirror=client.mode != "live")
    require_source(load)
    load.documents = [doc.name for doc, _ in got]
    rows: dict[NseDocument, list[dict[str, Any]]] = {}
    for doc, parsed in got:
        load.rejected += [item_error(e) for e in parsed.errors]
        rows[doc] = [{**row, **doc.stamp} for row in parsed.rows]
        load.rows += rows[doc]
    return Fetched(load, rows)


def finish(
    conn: psycopg.Connection, fetched: Fetched, results: Sequence[UpsertResult], *, asset_key: str,
    order_by: str, extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Record the quarantine, describe the run, and fail (retryably) if documents stayed unreachable."""
    report = merge(
        table_report(conn, results[0].table, order_by=order_by) if results else {},
        load_report(results),
        settle(conn, fetched.load, asset_key=asset_key),
        {"rows_quarantined": sum(1 for e in fetched.load.rejected if "#" in e.document)},
        extra or {},
    )
    fail_if_incomplete(fetched.load, conn)
    return report


def partition_days(partition_keys: Sequence[str]) -> list[date]:
    return sorted(date.fromisoformat(k) for k in partition_keys)
