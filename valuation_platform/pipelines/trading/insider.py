"""Insider-trading (SEBI PIT) disclosures of a run's sessions, from NSE's CSV export.

One export per session (the disclosures NSE broadcast that day); the session's rows are replaced on every
load, so a re-run rewrites the day and a session whose export is empty ends up empty.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg

from valuation_platform.pipelines.trading.documents import NseDocument, fetch_documents, finish, partition_days
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.nse.insider import insider_request, parse_insider_csv
from valuation_platform.warehouse.replace import replace_partitions
from valuation_platform.warehouse.tables.trading import NSE_INSIDER_TRADES


def insider_documents(partition_keys: Sequence[str]) -> list[NseDocument]:
    docs = []
    for day in partition_days(partition_keys):
        url, params = insider_request(day, day)
        docs.append(NseDocument("PIT", url, params=params,
                                stamp={"request_date": day, "_partition_key": day.isoformat()},
                                parse=lambda body, name: parse_insider_csv(body, document=name)))
    return docs


def load_insider_trades(
    conn: psycopg.Connection, client: HttpClient, partition_keys: Sequence[str], *, asset_key: str
) -> dict[str, Any]:
    fetched = fetch_documents(client, insider_documents(partition_keys), what="insider-trading export")
    empty = [(doc.stamp["request_date"],) for doc, rows in fetched.rows.items() if not rows]
    result = replace_partitions(conn, NSE_INSIDER_TRADES, fetched.load.rows, scope=("request_date",),
                                empty_scopes=empty, source="nse:corporates-pit")
    return finish(conn, fetched, [result], asset_key=asset_key, order_by="broadcast_at desc, line")
