"""The NSE symbol master: ``EQUITY_L.csv`` and the index constituent lists, as one snapshot.

Every load upserts the listed equities and then drops the symbols the new ``EQUITY_L.csv`` no longer
lists (delisted, or moved to another segment); an index list replaces that index's members. When a file
cannot be read, its table keeps the previous snapshot (a failed fetch never empties the master).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg

from valuation_platform.pipelines.report import Json, Markdown, merge, table_report
from valuation_platform.pipelines.trading.documents import NseDocument, fetch_documents, finish
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.nse.equity_list import (
    EQUITY_LIST_URL,
    INDEX_FILES,
    index_list_url,
    parse_equity_list,
    parse_index_constituents,
)
from valuation_platform.warehouse.replace import replace_partitions
from valuation_platform.warehouse.tables.trading import NSE_EQUITY_LIST, NSE_INDEX_CONSTITUENTS
from valuation_platform.warehouse.upsert import UpsertResult, upsert

EQUITY_L = "EQUITY_L"
DEFAULT_INDICES = tuple(INDEX_FILES)


def symbol_documents(indices: Sequence[str] = DEFAULT_INDICES) -> list[NseDocument]:
    docs = [NseDocument(EQUITY_L, EQUITY_LIST_URL, parse=lambda body, name: parse_equity_list(body, document=name))]
    for index in indices:
        docs.append(NseDocument(
            f"index:{index}", index_list_url(index),
            parse=lambda body, name, index=index: parse_index_constituents(body, document=name, index_name=index),
        ))
    return docs


def _replace_equity_list(conn: psycopg.Connection, rows: list[dict[str, Any]]) -> UpsertResult:
    result = upsert(conn, NSE_EQUITY_LIST, rows, source="nse:EQUITY_L")
    with conn.transaction():
        gone = conn.execute("delete from raw.nse_equity_list where not (symbol = any(%s))",
                            ([r["symbol"] for r in rows],)).rowcount
    return UpsertResult(result.table, result.rows_in, result.inserted, result.updated, deleted=gone)


def load_symbol_master(
    conn: psycopg.Connection, client: HttpClient, *, asset_key: str, indices: Sequence[str] = DEFAULT_INDICES
) -> dict[str, Any]:
    """Fetch ``EQUITY_L.csv`` and the index lists, load them, report what changed."""
    docs = symbol_documents(indices)
    fetched = fetch_documents(client, docs, what="symbol master")
    results: list[UpsertResult] = []
    read = {doc.kind for doc in fetched.rows}
    equities = fetched.rows_of(EQUITY_L)
    if EQUITY_L in read and equities:
        results.append(_replace_equity_list(conn, equities))
    members = [row for doc in docs[1:] if doc.kind in read for row in fetched.rows_of(doc.kind)]
    emptied = [(doc.kind.split(":", 1)[1],) for doc in docs[1:] if doc.kind in read and not fetched.rows_of(doc.kind)]
    if members or emptied:
        results.append(replace_partitions(conn, NSE_INDEX_CONSTITUENTS, members, scope=("index_name",),
                                          empty_scopes=emptied, source="nse:indices"))
    report = finish(conn, fetched, results, asset_key=asset_key, order_by="symbol", extra={
        "symbols_listed": len(equities),
        "symbols_delisted": results[0].deleted if equities and results[0].table == NSE_EQUITY_LIST.qualified else 0,
    })
    # the index lists' own report, for the constituents asset
    report["index_constituents"] = merge(
        table_report(conn, NSE_INDEX_CONSTITUENTS.qualified, order_by="index_name, symbol"),
        {"dagster/row_count": len(members),
         "index_members": Json({doc.kind.split(":", 1)[1]: len(fetched.rows_of(doc.kind)) for doc in docs[1:]
                                if doc.kind in read})},
    )
    return report


def symbol_mismatches(conn: psycopg.Connection) -> dict[str, Any]:
    """What ``marts.fct_nse_symbol_mismatches`` lists, counted by kind, with the first rows for the check."""
    rows = conn.execute("select mismatch, symbol, detail from marts.fct_nse_symbol_mismatches "
                        "order by mismatch, symbol").fetchall()
    by_kind: dict[str, int] = {}
    for kind, _, _ in rows:
        by_kind[kind] = by_kind.get(kind, 0) + 1
    listing = "\n".join(f"- {kind} {symbol}: {detail}" for kind, symbol, detail in rows[:50]) or "none"
    return {"mismatches": len(rows), "by_kind": Json(by_kind), "listing": Markdown(listing)}
