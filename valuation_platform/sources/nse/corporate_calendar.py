"""NSE corporate calendar APIs: board meetings, financial results, corporate actions.

Each is a JSON list of records for a date range (``from_date``/``to_date`` as ``DD-MM-YYYY``):

* ``/api/corporate-board-meetings?index=equities``: ``bm_symbol``, ``bm_date`` (the meeting, ``DD-Mon-YYYY``),
  ``bm_purpose``, ``bm_desc``, ``bm_timestamp`` (the intimation), ``sm_name``, ``sm_isin``, ``attachment``;
* ``/api/corporates-financial-results?index=equities&period=Quarterly``: ``symbol``, ``isin``, ``comp``,
  ``period``, ``fromDate``/``toDate`` (the period), ``relatingTo``, ``consolidated``, ``audited``,
  ``filingDate`` and ``broadCastDate`` (when the results came out), ``xbrl``;
* ``/api/corporates-corporateActions?index=equities``: ``symbol``, ``series``, ``subject`` (``Bonus 2:1``,
  ``Dividend - Rs 5 Per Share``), ``exDate``, ``recDate``, ``comp``, ``isin``.

Rows (one per event): symbol, event_type (``BOARD_MEETING`` | ``FINANCIAL_RESULTS`` | ``CORPORATE_ACTION``),
event_date (the meeting, the results' broadcast, the ex-date), purpose, company_name, isin, announced_at
(naive Asia/Kolkata, when NSE says so), record_date (corporate actions), reference (attachment/XBRL URL).
A record that cannot be read is reported as a :class:`SourceError` naming its index; the rest are returned.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import orjson

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.nse.fields import NSE_HOST, Parsed, nse_date, nse_timestamp, required, text

SOURCE = "nse"
BOARD_MEETING, FINANCIAL_RESULTS, CORPORATE_ACTION = "BOARD_MEETING", "FINANCIAL_RESULTS", "CORPORATE_ACTION"
EVENT_TYPES = (BOARD_MEETING, FINANCIAL_RESULTS, CORPORATE_ACTION)
ENDPOINTS = {
    BOARD_MEETING: ("corporate-board-meetings", {"index": "equities"}),
    FINANCIAL_RESULTS: ("corporates-financial-results", {"index": "equities", "period": "Quarterly"}),
    CORPORATE_ACTION: ("corporates-corporateActions", {"index": "equities"}),
}


def calendar_request(event_type: str, first: date, last: date) -> tuple[str, dict[str, str]]:
    """URL and query parameters of one calendar API for the days ``first``..``last``."""
    path, fixed = ENDPOINTS[event_type]
    return f"{NSE_HOST}/api/{path}", {**fixed, "from_date": f"{first:%d-%m-%Y}", "to_date": f"{last:%d-%m-%Y}"}


def _board_meeting(r: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "symbol": required(text(r.get("bm_symbol")), "bm_symbol"),
        "event_date": required(nse_date(r.get("bm_date")), "bm_date"),
        "purpose": required(text(r.get("bm_purpose")) or text(r.get("bm_desc")), "bm_purpose"),
        "company_name": text(r.get("sm_name")),
        "isin": text(r.get("sm_isin")),
        "announced_at": nse_timestamp(r.get("bm_timestamp")),
        "record_date": None,
        "reference": text(r.get("attachment")),
    }


def _financial_results(r: Mapping[str, Any]) -> dict[str, Any]:
    broadcast = nse_timestamp(r.get("broadCastDate")) or nse_timestamp(r.get("filingDate"))
    period_from, period_to = nse_date(r.get("fromDate")), nse_date(r.get("toDate"))
    label = " ".join(p for p in (text(r.get("relatingTo")), text(r.get("period"))) if p) or "Financial"
    basis = ", ".join(p for p in (text(r.get("consolidated")), text(r.get("audited"))) if p)
    purpose = f"{label} results for {period_from or '?'} to {period_to or '?'}" + (f" ({basis})" if basis else "")
    return {
        "symbol": required(text(r.get("symbol")), "symbol"),
        "event_date": required(broadcast, "broadCastDate").date(),
        "purpose": purpose,
        "company_name": text(r.get("comp")),
        "isin": text(r.get("isin")),
        "announced_at": broadcast,
        "record_date": None,
        "reference": text(r.get("xbrl")),
    }


def _corporate_action(r: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "symbol": required(text(r.get("symbol")), "symbol"),
        "event_date": required(nse_date(r.get("exDate")), "exDate"),
        "purpose": required(text(r.get("subject")), "subject"),
        "company_name": text(r.get("comp")),
        "isin": text(r.get("isin")),
        "announced_at": nse_timestamp(r.get("caBroadcastDate")) if r.get("caBroadcastDate") else None,
        "record_date": nse_date(r.get("recDate")),
        "reference": None,
    }


READERS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    BOARD_MEETING: _board_meeting, FINANCIAL_RESULTS: _financial_results, CORPORATE_ACTION: _corporate_action,
}


def json_records(payload: bytes, *, document: str, source: str = SOURCE) -> list[Any]:
    """The record list of an NSE API answer: a bare list, or ``{"data": [...]}`` (some endpoints wrap it)."""
    try:
        body = orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        raise SourceError(source, document, f"malformed JSON: {exc}") from exc
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        return body["data"]
    if isinstance(body, list):
        return body
    if body == {}:
        raise SourceError(source, document, "empty payload (NSE answers {} to requests without its session cookies)")
    raise SourceError(source, document, f"expected a list of records, got {type(body).__name__}")


def parse_calendar(payload: bytes, *, document: str, event_type: str) -> Parsed:
    """Rows of one calendar API answer (see the module docstring)."""
    read = READERS[event_type]
    out = Parsed()
    for i, record in enumerate(json_records(payload, document=document)):
        try:
            if not isinstance(record, dict):
                raise ValueError(f"expected an object, got {type(record).__name__}")
            out.rows.append({"event_type": event_type, **read(record)})
        except ValueError as error:
            out.reject(SOURCE, document, f"[{i}]", error)
    return out
