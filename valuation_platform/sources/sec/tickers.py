"""``company_tickers.json``: ticker -> CIK -> title for every SEC registrant with a ticker."""

from __future__ import annotations

from typing import Any

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.sec.urls import SOURCE, TICKERS_URL


def parse_company_tickers(payload: Any, document: str = "company_tickers.json") -> list[dict[str, Any]]:
    """Rows ``{ticker, cik, title}``; a row without a usable CIK raises, naming its position."""
    if not isinstance(payload, dict):
        raise SourceError(SOURCE, document, "expected an object keyed by row number")
    rows: list[dict[str, Any]] = []
    for position, entry in payload.items():
        if not isinstance(entry, dict):
            raise SourceError(SOURCE, document, "expected an object", field=f"{position}")
        ticker = str(entry.get("ticker") or "").strip().upper()
        if not ticker:
            raise SourceError(SOURCE, document, "missing ticker", field=f"{position}.ticker")
        try:
            cik = int(entry["cik_str"])
        except (KeyError, TypeError, ValueError) as exc:
            raise SourceError(SOURCE, document, f"no usable CIK for {ticker}", field=f"{position}.cik_str") from exc
        rows.append({"ticker": ticker, "cik": cik, "title": str(entry.get("title") or "").strip()})
    return rows


def fetch_company_tickers(client: HttpClient) -> list[dict[str, Any]]:
    return parse_company_tickers(client.get_json(TICKERS_URL, source=SOURCE))
