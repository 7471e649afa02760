"""Bulk and block deals of a run's sessions, from NSE's historical deals API (one request per session and
deal type). Each (session, deal type) is replaced on every load: a re-run rewrites it, nothing doubles."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg

from valuation_platform.pipelines.trading.documents import NseDocument, fetch_documents, finish, partition_days
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.nse.deals import BLOCK, BULK, deals_request, parse_deals_json
from valuation_platform.warehouse.replace import replace_partitions
from valuation_platform.warehouse.tables.trading import NSE_BULK_BLOCK_DEALS


def deal_documents(partition_keys: Sequence[str]) -> list[NseDocument]:
    docs = []
    for day in partition_days(partition_keys):
        for deal_type in (BULK, BLOCK):
            url, params = deals_request(deal_type, day)
            docs.append(NseDocument(
                deal_type, url, params=params,
                stamp={"request_date": day, "deal_type": deal_type, "_partition_key": day.isoformat()},
                parse=lambda body, name, t=deal_type: parse_deals_json(body, document=name, deal_type=t),
            ))
    return docs


def load_bulk_block_deals(
    conn: psycopg.Connection, client: HttpClient, partition_keys: Sequence[str], *, asset_key: str
) -> dict[str, Any]:
    fetched = fetch_documents(client, deal_documents(partition_keys), what="bulk/block deals")
    empty = [(doc.stamp["request_date"], doc.kind) for doc, rows in fetched.rows.items() if not rows]
    result = replace_partitions(conn, NSE_BULK_BLOCK_DEALS, fetched.load.rows, scope=("request_date", "deal_type"),
                                empty_scopes=empty, source="nse:bulk-block-deals")
    return finish(conn, fetched, [result], asset_key=asset_key, order_by="deal_date desc, deal_type, seq", extra={
        "deals/bulk": len(fetched.rows_of(BULK)), "deals/block": len(fetched.rows_of(BLOCK)),
    })
