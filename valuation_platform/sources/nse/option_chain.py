"""NSE option chains: ``/api/option-chain-indices?symbol=NIFTY`` and ``...-equities?symbol=RELIANCE``.

Payload: ``records.expiryDates`` (``DD-Mon-YYYY``), ``records.timestamp`` (``DD-Mon-YYYY HH:MM:SS``,
Asia/Kolkata), ``records.underlyingValue`` and ``records.data[]``: one entry per (strike, expiry)
with a ``CE`` and/or a ``PE`` object (NSE lists strikes where only one side exists). Untraded
contracts carry zeros: ``impliedVolatility`` 0, ``lastPrice`` 0, ``bidprice``/``askPrice`` 0. The live
API also sends a ``filtered`` block (nearest expiry only), which is derivable and ignored here.

Rows (one per contract, ``list[dict]``):

=================  =========================  ====================================================
key                type                       meaning
=================  =========================  ====================================================
underlying         str                        e.g. ``BANKNIFTY``, ``RELIANCE``
snapshot_ts        datetime (tz-aware UTC)    ``records.timestamp`` read in Asia/Kolkata
expiry             date
strike             float
option_type        str                        ``CE`` or ``PE``
contract_symbol    str | None                 NSE ``identifier``, e.g. ``OPTIDXBANKNIFTY14-05-2020CE13900.00``
last_price         float | None               ``lastPrice``; None when 0 (no trade)
bid                float | None               ``bidprice``; None when 0 (empty side)
ask                float | None               ``askPrice``; None when 0 (empty side)
volume             int                        ``totalTradedVolume`` (contracts)
open_interest      int                        ``openInterest`` (contracts)
oi_change          int                        ``changeinOpenInterest``
underlying_price   float                      the side's ``underlyingValue``, else the record's
provider_iv        float | None               ``impliedVolatility / 100``; None when 0 (untraded)
=================  =========================  ====================================================
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.http import HttpClient

SOURCE = "nse"
BASE_URL = "https://www.nseindia.com/api"
ENDPOINTS = {"indices": "option-chain-indices", "equities": "option-chain-equities"}
IST = ZoneInfo("Asia/Kolkata")
# NSE's CDN refuses API calls that do not look like they come from its option-chain page.
REQUEST_HEADERS = {
    "Accept": "application/json, text/plain, */*",
    "Accept-Language": "en-US,en;q=0.9",
    "Referer": "https://www.nseindia.com/option-chain",
}
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
SIDES = ("CE", "PE")


def option_chain_url(kind: Literal["indices", "equities"]) -> str:
    try:
        return f"{BASE_URL}/{ENDPOINTS[kind]}"
    except KeyError:
        raise ValueError(f"kind must be 'indices' or 'equities', not {kind!r}") from None


def fetch_nse_chain(
    client: HttpClient, symbol: str, kind: Literal["indices", "equities"] = "indices"
) -> list[dict[str, Any]]:
    """Fetch and parse the option chain of ``symbol`` (e.g. NIFTY, BANKNIFTY; RELIANCE with 'equities')."""
    url = option_chain_url(kind)
    params = {"symbol": symbol}
    body = client.get_bytes(url, source=SOURCE, params=params, headers=REQUEST_HEADERS)
    return parse_nse_option_chain(body, document=f"{url}?symbol={symbol}", symbol=symbol)


def parse_nse_option_chain(body: bytes, *, document: str, symbol: str | None = None) -> list[dict[str, Any]]:
    """Rows as documented in the module; raises :class:`SourceError` naming the bad field."""
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(SOURCE, document, f"malformed JSON: {exc}") from exc
    if not isinstance(payload, dict) or not payload:
        raise SourceError(
            SOURCE, document, "empty payload (NSE answers {} to requests without its session cookies)"
        )
    records = payload.get("records")
    if not isinstance(records, dict):
        raise SourceError(SOURCE, document, "missing 'records' object", field="records")
    data = records.get("data")
    if not isinstance(data, list):
        raise SourceError(SOURCE, document, "missing 'data' list", field="records.data")
    snapshot_ts = _timestamp(records.get("timestamp"), document, "records.timestamp")
    record_spot = _number(records.get("underlyingValue"), document, "records.underlyingValue", required=False)

    rows: list[dict[str, Any]] = []
    for i, entry in enumerate(data):
        where = f"records.data[{i}]"
        if not isinstance(entry, dict):
            raise SourceError(SOURCE, document, "expected an object", field=where)
        strike = _number(entry.get("strikePrice"), document, f"{where}.strikePrice")
        expiry = _date(entry.get("expiryDate"), document, f"{where}.expiryDate")
        for side in SIDES:
            contract = entry.get(side)
            if contract is None:
                continue  # a strike listed on one side only
            field = f"{where}.{side}"
            if not isinstance(contract, dict):
                raise SourceError(SOURCE, document, "expected an object", field=field)
            underlying = contract.get("underlying") or symbol
            if not underlying:
                raise SourceError(SOURCE, document, "no underlying symbol", field=f"{field}.underlying")
            spot = _number(
                contract.get("underlyingValue"), document, f"{field}.underlyingValue", required=False
            )
            spot = spot if spot is not None else record_spot
            if spot is None:
                raise SourceError(SOURCE, document, "no underlying value", field=f"{field}.underlyingValue")
            iv = _number(
                contract.get("impliedVolatility"), document, f"{field}.impliedVolatility", required=False
            )
            rows.append(
                {
                    "underlying": str(underlying),
                    "snapshot_ts": snapshot_ts,
                    "expiry": expiry,
                    "strike": strike,
                    "option_type": side,
                    "contract_symbol": contract.get("identifier"),
                    "last_price": _positive(contract.get("lastPrice"), document, f"{field}.lastPrice"),
                    "bid": _positive(contract.get("bidprice"), document, f"{field}.bidprice"),
                    "ask": _positive(contract.get("askPrice"), document, f"{field}.askPrice"),
                    "volume": _count(
                        contract.get("totalTradedVolume"), document, f"{field}.totalTradedVolume"
                    ),
                    "open_interest": _count(contract.get("openInterest"), document, f"{field}.openInterest"),
                    "oi_change": _count(
                        contract.get("changeinOpenInterest"), document, f"{field}.changeinOpenInterest"
                    ),
                    "underlying_price": spot,
                    "provider_iv": iv / 100.0 if iv else None,
                }
            )
    return rows


# -- field readers -----------------------------------------------------------------------------


def _number(raw: Any, document: str, field: str, *, required: bool = True) -> float | None:
    if raw is None or raw == "" or raw == "-":
        if required:
            raise SourceError(SOURCE, document, "missing number", field=field)
        return None
    if isinstance(raw, bool):
        raise SourceError(SOURCE, document, f"not a number: {raw!r}", field=field)
    try:
        value = float(str(raw).replace(",", "")) if isinstance(raw, str) else float(raw)
    except (TypeError, ValueError) as exc:
        raise SourceError(SOURCE, document, f"not a number: {raw!r}", field=field) from exc
    if value != value:  # NaN
        raise SourceError(SOURCE, document, "NaN", field=field)
    return value


def _positive(raw: Any, document: str, field: str) -> float | None:
    value = _number(raw, document, field, required=False)
    return value if value is not None and value > 0 else None


def _count(raw: Any, document: str, field: str) -> int:
    value = _number(raw, document, field, required=False)
    return int(round(value)) if value is not None else 0


def _date(raw: Any, document: str, field: str) -> date:
    """``DD-Mon-YYYY`` (month names in English whatever the process locale)."""
    try:
        day, month, year = str(raw).split("-")
        return date(int(year), _MONTHS[month[:3].lower()], int(day))
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise SourceError(SOURCE, document, f"not a DD-Mon-YYYY date: {raw!r}", field=field) from exc


def _timestamp(raw: Any, document: str, field: str) -> datetime:
    """``DD-Mon-YYYY HH:MM:SS`` in Asia/Kolkata, returned in UTC."""
    try:
        day_part, time_part = str(raw).strip().split(" ")
        hh, mm, ss = (int(p) for p in time_part.split(":"))
        day = _date(day_part, document, field)
    except (TypeError, ValueError) as exc:
        raise SourceError(
            SOURCE, document, f"not a 'DD-Mon-YYYY HH:MM:SS' timestamp: {raw!r}", field=field
        ) from exc
    try:
        local = datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=IST)
    except ValueError as exc:
        raise SourceError(SOURCE, document, f"impossible time: {raw!r}", field=field) from exc
    return local.astimezone(UTC)
