"""The US universe: SEC tickers joined to each company's submissions profile."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg

from valuation_platform.pipelines.documents import fetch_all
from valuation_platform.pipelines.report import load_report, merge, quarantine_report, table_report
from valuation_platform.sources.errors import FetchError, SourceError, SourceUnavailable
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.sec.submissions import fetch_submissions
from valuation_platform.sources.sec.tickers import fetch_company_tickers
from valuation_platform.sources.sec.urls import SOURCE, TICKERS_URL, submissions_document
from valuation_platform.warehouse.quarantine import quarantine, release
from valuation_platform.warehouse.tables.sec import SEC_COMPANY_TICKERS, US_UNIVERSE
from valuation_platform.warehouse.upsert import upsert

# Live, unfiltered: only companies listed on a US exchange (the SEC list also holds OTC and funds).
LISTED_EXCHANGES = {"NYSE", "NASDAQ", "NYSE AMERICAN", "NYSE ARCA", "CBOE", "BATS"}


def load_company_tickers(conn: psycopg.Connection, client: HttpClient) -> dict[str, Any]:
    try:
        rows = fetch_company_tickers(client)
    except FetchError as exc:  # nothing of the SEC domain can run without its ticker list
        raise SourceUnavailable(SOURCE, f"{TICKERS_URL}: {exc.reason}", retryable=client.mode == "live") from exc
    result = upsert(conn, SEC_COMPANY_TICKERS, rows, source=f"{SOURCE}:{TICKERS_URL}")
    return merge(table_report(conn, SEC_COMPANY_TICKERS.qualified, order_by="ticker"), load_report([result]),
                 {"origin": client.describe()})


@dataclass
class UniverseLoad:
    tickers: list[str]  # the universe now, sorted: one sec_companies partition each
    errors: list[SourceError] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)


def _row(ticker: str, cik: int, profile: dict[str, Any]) -> dict[str, Any]:
    return {
        "ticker": ticker,
        "cik": cik,
        "name": profile["name"],
        "exchange": profile["exchanges"][0] if profile["exchanges"] else None,
        "sic": profile["sic"],
        "sic_description": profile["sic_description"],
        "fiscal_year_end": profile["fiscal_year_end"],
        "entity_type": profile["entity_type"],
        "category": profile["category"],
        "state_of_incorporation": profile["state_of_incorporation"],
        "latest_10k_filed": profile["latest_10k_filed"],
        "is_primary_ticker": not profile["tickers"] or profile["tickers"][0] == ticker,
    }


def load_universe(conn: psycopg.Connection, client: HttpClient, wanted: Sequence[str]) -> UniverseLoad:
    """``wanted`` (VP_TICKERS) limits the universe; unset, every ticker with a submissions document in a
    mirror, or live every exchange-listed company. The universe is a snapshot: companies that left it are
    removed. Unknown tickers and bad profiles are quarantined; the rest land."""
    with conn.transaction():
        ticker_rows = conn.execute("select ticker, cik from raw.sec_company_tickers order by ticker").fetchall()
    cik_by_ticker = dict(ticker_rows)
    errors: list[SourceError] = [
        SourceError(SOURCE, f"ticker {t}", "ticker not in company_tickers.json (no CIK)", field="ticker")
        for t in wanted if t not in cik_by_ticker
    ]
    candidates = [(t, cik_by_ticker[t]) for t in wanted if t in cik_by_ticker] if wanted else list(ticker_rows)

    def profile(item: tuple[str, int]) -> dict | None:
        try:
            return fetch_submissions(client, item[1])
        except FetchError as exc:
            if exc.status == 404 and not wanted:  # unfiltered, a missing profile means "not in this mirror"
                return None
            raise

    outcome = fetch_all(candidates, profile)
    errors += outcome.errors
    rows = [
        _row(ticker, cik, prof)
        for (ticker, cik), prof in outcome.ok
        if prof is not None
        and (client.mode != "live" or wanted or LISTED_EXCHANGES.intersection(e.upper() for e in prof["exchanges"]))
    ]
    result = upsert(conn, US_UNIVERSE, rows, source=f"{SOURCE}:submissions")
    with conn.transaction():
        conn.execute("delete from raw.us_universe where not (ticker = any(%s))", ([r["ticker"] for r in rows],))
    quarantine(conn, errors, asset_key="us_universe")
    release(conn, SOURCE, [submissions_document(r["cik"]) for r in rows])
    report = merge(
        table_report(conn, US_UNIVERSE.qualified, order_by="ticker"),
        load_report([result]),
        quarantine_report(errors, len(candidates)),
        {"ticker_filter": ",".join(wanted) or "(none)"},
    )
    return UniverseLoad(sorted(r["ticker"] for r in rows), errors, report)
