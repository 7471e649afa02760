"""Institutional flows: NSE's FII/DII trading-activity report.

The API answers the latest session only and takes no date, so each run fetches it once and upserts every
(session, category) it lists; history is what the daily runs keep. The 5/20-session sums and z-scores are
set work, done by dbt (``fct_institutional_flows``).
"""

from __future__ import annotations

from typing import Any

import psycopg

from valuation_platform.pipelines.trading.documents import NseDocument, fetch_documents, finish
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.nse.fii_dii import FII_DII_URL, parse_fii_dii
from valuation_platform.warehouse.tables.trading import NSE_INSTITUTIONAL_FLOWS
from valuation_platform.warehouse.upsert import upsert


def load_institutional_flows(conn: psycopg.Connection, client: HttpClient, *, asset_key: str) -> dict[str, Any]:
    doc = NseDocument("FII_DII", FII_DII_URL, parse=lambda body, name: parse_fii_dii(body, document=name))
    fetched = fetch_documents(client, [doc], what="FII/DII report")
    rows = [{**row, "_partition_key": row["trade_date"].isoformat()} for row in fetched.load.rows]
    result = upsert(conn, NSE_INSTITUTIONAL_FLOWS, rows, source="nse:fiidiiTradeReact")
    sessions = sorted({row["trade_date"] for row in rows})
    return finish(conn, fetched, [result], asset_key=asset_key, order_by="trade_date desc, category", extra={
        "sessions_in_report": len(sessions),
        "latest_session": sessions[-1].isoformat() if sessions else "none",
    })
