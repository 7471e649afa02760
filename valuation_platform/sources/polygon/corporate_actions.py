"""Polygon corporate actions: ``GET /v3/reference/splits`` and ``GET /v3/reference/dividends``.

Both list the whole market, ``limit`` (:data:`REFERENCE_LIMIT`, Polygon's maximum 1000) per page, oldest
first, continued through ``next_url``; ``status`` must be ``OK``. Request parameters are fixed so a mirror
file name is predictable (:func:`splits_request`, :func:`dividends_request` serve clients and generator).

A split is ``{execution_date, split_from, split_to, ticker, id?}``: split_from old shares became split_to
new shares (4-for-1: 1 -> 4). A dividend is ``{cash_amount, currency?, declaration_date?, dividend_type,
ex_dividend_date, frequency?, pay_date?, record_date?, ticker, id?}``. A record with a missing or bad
required field is set aside as a :class:`SourceError` naming it (the rest of its page is kept).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.polygon.aggregates import BASE_URL, SOURCE, iter_pages, load_payload

SPLITS_URL = f"{BASE_URL}/v3/reference/splits"
DIVIDENDS_URL = f"{BASE_URL}/v3/reference/dividends"
REFERENCE_LIMIT = 1000


@dataclass
class ActionsResult:
    rows: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[SourceError] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)


def splits_request() -> tuple[str, dict[str, Any]]:
    return SPLITS_URL, {"limit": REFERENCE_LIMIT, "order": "asc", "sort": "execution_date"}


def dividends_request() -> tuple[str, dict[str, Any]]:
    return DIVIDENDS_URL, {"limit": REFERENCE_LIMIT, "order": "asc", "sort": "ex_dividend_date"}


def _ticker(item: dict[str, Any]) -> str:
    ticker = item.get("ticker")
    if not isinstance(ticker, str) or not ticker.strip():
        raise ValueError(f"no ticker: {ticker!r}")
    return ticker.strip()


def _day(item: dict[str, Any], key: str, *, required: bool) -> date | None:
    raw = item.get(key)
    if raw in (None, "") and not required:
        return None
    if not isinstance(raw, str):
        raise ValueError(f"{key}: not a date {raw!r}")
    return date.fromisoformat(raw)


def _positive(item: dict[str, Any], key: str) -> float:
    raw = item.get(key)
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw) or raw <= 0:
        raise ValueError(f"{key}: not a positive number {raw!r}")
    return float(raw)


def split_row(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "ticker": _ticker(item),
        "execution_date": _day(item, "execution_date", required=True),
        "split_from": _positive(item, "split_from"),
        "split_to": _positive(item, "split_to"),
        "polygon_id": item.get("id"),
    }


def dividend_row(item: dict[str, Any]) -> dict[str, Any]:
    frequency = item.get("frequency")
    if frequency is not None and (isinstance(frequency, bool) or not isinstance(frequency, int)):
        raise ValueError(f"frequency: not an integer {frequency!r}")
    kind = item.get("dividend_type")
    if not isinstance(kind, str) or not kind:
        raise ValueError(f"dividend_type: {kind!r}")
    return {
        "ticker": _ticker(item),
        "ex_dividend_date": _day(item, "ex_dividend_date", required=True),
        "dividend_type": kind,
        "cash_amount": _positive(item, "cash_amount"),
        "currency": item.get("currency"),
        "declaration_date": _day(item, "declaration_date", required=False),
        "record_date": _day(item, "record_date", required=False),
        "pay_date": _day(item, "pay_date", required=False),
        "frequency": frequency,
        "polygon_id": item.get("id"),
    }


def _collect(payload: dict[str, Any], document: str, parse: Callable[[dict], dict], out: ActionsResult) -> None:
    out.documents.append(document)
    results = payload.get("results")
    if results is None:
        return
    if not isinstance(results, list):
        raise SourceError(SOURCE, document, f"expected a list, got {type(results).__name__}", field="results")
    for i, item in enumerate(results):
        try:
            if not isinstance(item, dict):
                raise ValueError("not an object")
            out.rows.append(parse(item))
        except (ValueError, TypeError) as exc:
            out.rejected.append(SourceError(SOURCE, f"{document}#results[{i}]", str(exc), field=f"results[{i}]"))


def parse_splits(body: bytes, document: str) -> ActionsResult:
    """Rows and set-aside records of one splits page."""
    out = ActionsResult()
    _collect(load_payload(body, document), document, split_row, out)
    return out


def parse_dividends(body: bytes, document: str) -> ActionsResult:
    """Rows and set-aside records of one dividends page."""
    out = ActionsResult()
    _collect(load_payload(body, document), document, dividend_row, out)
    return out


def fetch_splits(client: HttpClient, api_key: str) -> ActionsResult:
    """Every split Polygon lists, every page."""
    url, params = splits_request()
    out = ActionsResult()
    for document, payload in iter_pages(client, url, params, api_key):
        _collect(payload, document, split_row, out)
    return out


def fetch_dividends(client: HttpClient, api_key: str) -> ActionsResult:
    """Every cash dividend Polygon lists, every page."""
    url, params = dividends_request()
    out = ActionsResult()
    for document, payload in iter_pages(client, url, params, api_key):
        _collect(payload, document, dividend_row, out)
    return out
