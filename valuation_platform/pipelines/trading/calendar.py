"""The corporate calendar of a run's sessions: board meetings, financial results, corporate actions.

Each session asks the three NSE calendar APIs for that day. An event comes back on every day NSE lists it
(a board meeting is intimated days ahead), so rows are upserted on (symbol, event_type, event_date,
purpose) and carry the latest session that listed them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg

from valuation_platform.pipelines.trading.documents import NseDocument, fetch_documents, finish, partition_days
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.nse.corporate_calendar import EVENT_TYPES, calendar_request, parse_calendar
from valuation_platform.warehouse.tables.trading import NSE_CORPORATE_EVENTS
from valuation_platform.warehouse.upsert import upsert


def calendar_documents(partition_keys: Sequence[str]) -> list[NseDocument]:
    docs = []
    for day in partition_days(partition_keys):
        for event_type in EVENT_TYPES:
            url, params = calendar_request(event_type, day, day)
            docs.append(NseDocument(
                event_type, url, params=params, stamp={"request_date": day, "_partition_key": day.isoformat()},
                parse=lambda body, name, t=event_type: parse_calendar(body, document=name, event_type=t),
            ))
    return docs


def load_corporate_calendar(
    conn: psycopg.Connection, client: HttpClient, partition_keys: Sequence[str], *, asset_key: str
) -> dict[str, Any]:
    fetched = fetch_documents(client, calendar_documents(partition_keys), what="corporate calendar")
    rows = sorted(fetched.load.rows, key=lambda r: r["request_date"])  # the latest listing wins the upsert
    result = upsert(conn, NSE_CORPORATE_EVENTS, rows, source="nse:corporate-calendar")
    by_type = {t: len(fetched.rows_of(t)) for t in EVENT_TYPES}
    return finish(conn, fetched, [result], asset_key=asset_key, order_by="event_date desc, symbol",
                  extra={f"events/{t.lower()}": n for t, n in by_type.items()})
