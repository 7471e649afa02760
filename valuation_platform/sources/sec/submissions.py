"""The submissions API: a company's profile (name, SIC, exchanges, fiscal year end) and recent filings."""

from __future__ import annotations

from datetime import date
from typing import Any

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.sec.urls import SOURCE, submissions_document, submissions_url


def parse_submissions(payload: Any, document: str) -> dict[str, Any]:
    """One profile row: cik, name, sic, sic_description, tickers, exchanges, fiscal_year_end (MMDD), ...

    ``latest_10k_filed`` is kept because "as known on date X" questions need to know when the newest
    annual numbers became public.
    """
    if not isinstance(payload, dict):
        raise SourceError(SOURCE, document, "expected a JSON object")
    try:
        cik = int(payload["cik"])
    except (KeyError, TypeError, ValueError) as exc:
        raise SourceError(SOURCE, document, "missing or non-numeric cik", field="cik") from exc
    name = str(payload.get("name") or "").strip()
    if not name:
        raise SourceError(SOURCE, document, "missing company name", field="name")
    sic_raw = str(payload.get("sic") or "").strip()
    sic = int(sic_raw) if sic_raw.isdigit() else None
    fye = str(payload.get("fiscalYearEnd") or "").strip()
    if fye and (len(fye) != 4 or not fye.isdigit() or not 1 <= int(fye[:2]) <= 12):
        raise SourceError(SOURCE, document, f"fiscalYearEnd {fye!r} is not MMDD", field="fiscalYearEnd")
    tickers = [str(t).upper() for t in payload.get("tickers") or []]
    exchanges = [str(e) for e in payload.get("exchanges") or []]
    recent = (payload.get("filings") or {}).get("recent") or {}
    latest_10k = None
    for form, filed in zip(recent.get("form") or [], recent.get("filingDate") or []):
        if form in ("10-K", "10-K/A"):
            filed_date = date.fromisoformat(filed)
            latest_10k = max(latest_10k or filed_date, filed_date)
    return {
        "cik": cik,
        "name": name,
        "entity_type": payload.get("entityType"),
        "sic": sic,
        "sic_description": payload.get("sicDescription") or None,
        "tickers": tickers,
        "exchanges": exchanges,
        "fiscal_year_end": fye or None,
        "state_of_incorporation": payload.get("stateOfIncorporation") or None,
        "category": payload.get("category") or None,
        "latest_10k_filed": latest_10k,
    }


def fetch_submissions(client: HttpClient, cik: int) -> dict[str, Any]:
    payload = client.get_json(submissions_url(cik), source=SOURCE)
    return parse_submissions(payload, document=submissions_document(cik))
