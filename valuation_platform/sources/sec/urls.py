"""EDGAR URLs, in one place so clients, the generator and tests agree on them."""

from __future__ import annotations

from valuation_platform.sources.http import mirror_relpath

SOURCE = "sec"
TICKERS_URL = "https://www.sec.gov/files/company_tickers.json"


def submissions_url(cik: int) -> str:
    return f"https://data.sec.gov/submissions/CIK{cik:010d}.json"


def companyfacts_url(cik: int) -> str:
    return f"https://data.sec.gov/api/xbrl/companyfacts/CIK{cik:010d}.json"


def submissions_document(cik: int) -> str:
    """How errors and the quarantine name a submissions document (its mirror path)."""
    return mirror_relpath(submissions_url(cik))


def companyfacts_document(cik: int) -> str:
    return mirror_relpath(companyfacts_url(cik))
