"""XBRL companyfacts per company, long form with its point-in-time fields."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

import polars as pl
import psycopg

from valuation_platform.pipelines.documents import fetch_all
from valuation_platform.pipelines.report import (
    PARTITION_DETAIL_MAX, Chart, for_partitions, load_report, merge, quarantine_report,
)
from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.sec.companyfacts import fetch_companyfacts
from valuation_platform.sources.sec.urls import SOURCE, companyfacts_document
from valuation_platform.warehouse.quarantine import quarantine, release
from valuation_platform.warehouse.tables.sec import SEC_COMPANYFACTS
from valuation_platform.warehouse.replace import replace_partitions
from valuation_platform.warehouse.upsert import UpsertResult

FLUSH_ROWS = 250_000  # facts buffered before one bulk load: bounded memory at 4,600 companies
# Statement lines of the asset page's picture: the first concept a company reports wins (revenue has several)
CHART_LINES: dict[str, tuple[str, ...]] = {
    "revenue": ("Revenues", "RevenueFromContractWithCustomerExcludingAssessedTax", "SalesRevenueNet"),
    "net income": ("NetIncomeLoss",),
    "operating cash flow": ("NetCashProvidedByUsedInOperatingActivities",),
    "total assets": ("Assets",),
}


def load_companyfacts(conn: psycopg.Connection, client: HttpClient, tickers: Sequence[str]) -> dict[str, Any]:
    """Fetch, parse and load the facts of ``tickers`` (sec_companies partition keys); bad documents are
    quarantined with their reason and the rest land."""
    fetched_at = datetime.now(timezone.utc)
    with conn.transaction():
        cik_by_ticker = dict(
            conn.execute("select ticker, cik from raw.us_universe where ticker = any(%s)", (list(tickers),)).fetchall()
        )
    loaded: list[str] = []
    charted: dict[str, pl.DataFrame] = {}  # the facts of one company (the first ticker), for the picture
    # the picture is a ~70 kB PNG, copied onto each partition's event (report.PARTITION_DETAIL_MAX)
    pictured = min(tickers) if 0 < len(tickers) <= PARTITION_DETAIL_MAX else None
    results: list[UpsertResult] = []
    pending: list[pl.DataFrame] = []

    def flush() -> None:
        if pending:
            frame = pl.concat(pending, how="vertical")
            pending.clear()
            # A company's facts are one document: replaced whole (a withdrawn fact disappears), skipped when
            # its content hash is unchanged.
            results.append(replace_partitions(conn, SEC_COMPANYFACTS, frame, scope=["cik"],
                                              source=f"{SOURCE}:companyfacts", fetched_at=fetched_at))

    def keep(ticker: str, frame: pl.DataFrame) -> None:
        if ticker == pictured:
            charted[ticker] = frame
        pending.append(frame.with_columns(pl.lit(ticker).alias("_partition_key")))
        loaded.append(ticker)
        if sum(f.height for f in pending) >= FLUSH_ROWS:
            flush()

    outcome = fetch_all(
        [t for t in tickers if t in cik_by_ticker], lambda t: fetch_companyfacts(client, cik_by_ticker[t]), on_result=keep
    )
    flush()
    errors = outcome.errors + [
        SourceError(SOURCE, f"ticker {t}", "not in raw.us_universe; materialize us_universe first", field="ticker")
        for t in tickers if t not in cik_by_ticker
    ]
    quarantine(conn, errors, asset_key="sec_companyfacts")
    release(conn, SOURCE, [companyfacts_document(cik_by_ticker[t]) for t in loaded])
    return merge(
        {"dagster/row_count": 0},  # a run that loaded no company wrote nothing
        for_partitions(load_report(results), len(tickers)),  # one event per ticker
        {
            "companies_loaded": len(loaded),
            "facts_inserted": sum(r.inserted for r in results),
            "facts_updated": sum(r.updated for r in results),
            "facts_unchanged": sum(r.unchanged for r in results),
        },
        quarantine_report(errors, len(tickers)),
        {"errors": [str(e) for e in errors]},
        {"statements": chart} if charted and (chart := statements_chart(*next(iter(charted.items())))) else {},
    )


def statements_chart(ticker: str, facts: pl.DataFrame) -> Chart | None:
    """A company's annual statement lines over its fiscal years (10-K, FY, in USD; the latest filing of each
    period wins, so restatements show as restated)."""
    annual = facts.filter((pl.col("fp") == "FY") & pl.col("form").str.starts_with("10-K") & (pl.col("unit") == "USD")
                          & ((pl.col("duration_days") == 0) | (pl.col("duration_days").is_between(350, 380))))
    lines: dict[str, dict] = {}
    for label, concepts in CHART_LINES.items():
        for concept in concepts:
            rows = (annual.filter(pl.col("concept") == concept).sort("filed")
                    .unique(subset="period_end", keep="last").sort("period_end"))
            if rows.height:
                lines[label] = dict(zip(rows["period_end"].to_list(), rows["value"].to_list()))
                break
    if not lines:
        return None
    dates = sorted({d for values in lines.values() for d in values})
    data = {"date": dates, **{f"{label} (USD bn)": [None if (v := values.get(d)) is None else v / 1e9 for d in dates]
                              for label, values in lines.items()}}
    return Chart("series", f"{ticker}: annual statements (10-K)", data)
