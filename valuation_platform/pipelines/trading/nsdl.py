"""FPI investment as the depository reports it: NSDL's daily trends page.

The page lists the latest reporting dates only and takes no date, so each run fetches it once and upserts
every (date, asset class, route) it lists; history is what the daily runs keep. A date whose rows do not add
up to its Sub-total/Total is quarantined by the parser and its rows stay out; the other dates land. Windows
over the reporting dates are dbt's (``fct_fpi_depository_flows``).
"""

from __future__ import annotations

from typing import Any

import psycopg

from valuation_platform.pipelines.trading.documents import NseDocument, fetch_documents, finish
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.nsdl.fpi_investment import FPI_DAILY_URL, SOURCE, parse_fpi_daily
from valuation_platform.warehouse.tables.trading import NSDL_FPI_INVESTMENT
from valuation_platform.warehouse.upsert import upsert

HEADERS = {"Accept": "text/html,application/xhtml+xml", "Accept-Language": "en-US,en;q=0.9"}


def load_fpi_investment(conn: psycopg.Connection, client: HttpClient, *, asset_key: str) -> dict[str, Any]:
    doc = NseDocument("FPI_DAILY", FPI_DAILY_URL, parse=lambda body, name: parse_fpi_daily(body, document=name))
    fetched = fetch_documents(client, [doc], what="NSDL FPI daily trends", source=SOURCE, headers=HEADERS)
    rows = [{**row, "_partition_key": row["reporting_date"].isoformat()} for row in fetched.load.rows]
    result = upsert(conn, NSDL_FPI_INVESTMENT, rows, source="nsdl:Latest.aspx")
    dates = sorted({row["reporting_date"] for row in rows})
    return finish(conn, fetched, [result], asset_key=asset_key,
                  order_by="reporting_date desc, asset_class, route", extra={
                      "reporting_dates_loaded": len(dates),
                      "dates_quarantined": sum(1 for e in fetched.load.rejected if "#reporting date" in e.document),
                      "latest_reporting_date": dates[-1].isoformat() if dates else "none",
                  })
