"""Polygon option-chain snapshot: ``GET /v3/snapshot/options/{underlying}`` (paginated by ``next_url``).

Each result has ``details`` (contract_type call/put, expiration_date, strike_price, ticker),
``last_quote`` (bid/ask, ns timestamps), ``last_trade``, ``day`` (volume, close), ``open_interest``,
``implied_volatility``, ``greeks`` and ``underlying_asset`` (price, ticker, last_updated in ns).
Illiquid contracts omit ``last_trade``, ``implied_volatility`` and ``greeks`` and have an empty ``day``.

Rows carry the same keys as the NSE parser (:mod:`valuation_platform.sources.nse.option_chain`):

* underlying (str, ``underlying_asset.ticker``), snapshot_ts (tz-aware UTC), expiry (date),
  strike (float), option_type (``'C'``/``'P'``), contract_symbol (``O:AAPL230616C00150000``),
* last_price (``last_trade.price``, else ``day.close``), bid, ask (``last_quote``), each None when
  absent or 0; volume (``day.volume``, 0 when the day bar is empty), open_interest (int | None),
  oi_change (None: Polygon does not report it), underlying_price (float | None),
  provider_iv (``implied_volatility`` as a decimal; None when absent or 0).

``snapshot_ts``: the snapshot has no single "as of" field, so one chain fetch is stamped with the
latest ``underlying_asset.last_updated`` seen across all its pages (falling back to quote and day-bar
timestamps): every row of one fetch shares it, which keeps (underlying, snapshot_ts, expiry) groups whole.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.http import HttpClient

SOURCE = "polygon"
HOST = "api.polygon.io"
SNAPSHOT_URL = "https://api.polygon.io/v3/snapshot/options/{underlying}"
PAGE_LIMIT = 250  # Polygon's maximum page size for this endpoint
MAX_PAGES = 1000


def snapshot_url(underlying: str) -> str:
    return SNAPSHOT_URL.format(underlying=underlying.upper())


def fetch_polygon_chain(
    client: HttpClient, underlying: str, api_key: str, *, limit: int = PAGE_LIMIT
) -> list[dict[str, Any]]:
    """Every contract of ``underlying``'s chain, following ``next_url`` until the last page."""
    url, params = snapshot_url(underlying), {"limit": limit}
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for _ in range(MAX_PAGES):
        document = f"{url}?{'&'.join(f'{k}={v}' for k, v in sorted(params.items()))}"
        body = client.get_bytes(url, source=SOURCE, params={**params, "apiKey": api_key})
        page, next_url = parse_polygon_options_snapshot(body, document=document, underlying=underlying)
        rows.extend(page)
        if not next_url:
            break
        if next_url in seen:
            raise SourceError(SOURCE, document, "next_url repeats an earlier page", field="next_url")
        seen.add(next_url)
        # Follow the cursor as parameters on the same endpoint: the key is re-attached here (next_url
        # never carries it) and the mirror path stays <host>/<path>?cursor=...
        url, params = _split_next_url(next_url, document)
    else:
        raise SourceError(SOURCE, url, f"more than {MAX_PAGES} pages", field="next_url")
    if rows:
        stamp = max(row["snapshot_ts"] for row in rows)
        for row in rows:
            row["snapshot_ts"] = stamp
    return rows


def _split_next_url(next_url: str, document: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(next_url)
    if parts.scheme != "https" or parts.hostname != HOST:
        raise SourceError(SOURCE, document, f"next_url points off {HOST}: {next_url!r}", field="next_url")
    params = {k: v for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() != "apikey"}
    return f"https://{HOST}{parts.path}", params


def parse_polygon_options_snapshot(
    body: bytes, *, document: str, underlying: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """``(rows, next_url)`` for one page; a single-contract snapshot (``results`` object) works too."""
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(SOURCE, document, f"malformed JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise SourceError(SOURCE, document, "expected a JSON object")
    status = payload.get("status")
    if status not in (None, "OK", "DELAYED"):
        message = payload.get("error") or payload.get("message") or "no message"
        raise SourceError(SOURCE, document, f"status {status}: {message}", field="status")
    results = payload.get("results", [])
    if isinstance(results, dict):
        results = [results]
    if not isinstance(results, list):
        raise SourceError(SOURCE, document, "expected a list", field="results")
    next_url = payload.get("next_url")
    if next_url is not None and not isinstance(next_url, str):
        raise SourceError(SOURCE, document, "expected a string", field="next_url")

    parsed = [_contract(item, document, f"results[{i}]", underlying) for i, item in enumerate(results)]
    rows = [row for row, _ in parsed]
    stamps = [ts for _, ts in parsed if ts is not None]
    if rows and not stamps:
        raise SourceError(
            SOURCE, document, "no timestamp on any contract", field="results[].underlying_asset.last_updated"
        )
    if stamps:
        page_ts = max(stamps)
        for row in rows:
            row["snapshot_ts"] = page_ts
    return rows, next_url or None


def _contract(
    item: Any, document: str, where: str, underlying: str | None
) -> tuple[dict[str, Any], datetime | None]:
    if not isinstance(item, dict):
        raise SourceError(SOURCE, document, "expected an object", field=where)
    details = _object(item, "details", document, where, required=True)
    kind = details.get("contract_type")
    if kind not in ("call", "put"):
        raise SourceError(
            SOURCE,
            document,
            f"contract_type must be call or put, not {kind!r}",
            field=f"{where}.details.contract_type",
        )
    try:
        expiry = date.fromisoformat(details.get("expiration_date"))
    except (TypeError, ValueError) as exc:
        raise SourceError(
            SOURCE,
            document,
            f"not an ISO date: {details.get('expiration_date')!r}",
            field=f"{where}.details.expiration_date",
        ) from exc
    strike = _number(details.get("strike_price"), document, f"{where}.details.strike_price", required=True)
    asset = _object(item, "underlying_asset", document, where)
    quote = _object(item, "last_quote", document, where)
    trade = _object(item, "last_trade", document, where)
    day = _object(item, "day", document, where)
    ticker = asset.get("ticker") or underlying
    if not ticker:
        raise SourceError(SOURCE, document, "no underlying ticker", field=f"{where}.underlying_asset.ticker")
    last = _positive(trade.get("price"), document, f"{where}.last_trade.price")
    if last is None:
        last = _positive(day.get("close"), document, f"{where}.day.close")
    oi = _number(item.get("open_interest"), document, f"{where}.open_interest")
    volume = _number(day.get("volume"), document, f"{where}.day.volume")
    iv = _number(item.get("implied_volatility"), document, f"{where}.implied_volatility")
    stamp = None
    for source_obj, name in ((asset, "underlying_asset"), (quote, "last_quote"), (day, "day")):
        ns = source_obj.get("last_updated")
        if ns is None:
            continue
        if isinstance(ns, bool) or not isinstance(ns, int):  # ints: a float would lose the nanoseconds
            raise SourceError(
                SOURCE, document, f"not integer nanoseconds: {ns!r}", field=f"{where}.{name}.last_updated"
            )
        if ns > 0:
            stamp = _from_ns(ns)
            break
    row = {
        "underlying": str(ticker),
        "snapshot_ts": stamp,
        "expiry": expiry,
        "strike": strike,
        "option_type": "C" if kind == "call" else "P",
        "contract_symbol": details.get("ticker"),
        "last_price": last,
        "bid": _positive(quote.get("bid"), document, f"{where}.last_quote.bid"),
        "ask": _positive(quote.get("ask"), document, f"{where}.last_quote.ask"),
        "volume": int(volume) if volume is not None else 0,
        "open_interest": int(oi) if oi is not None else None,
        "oi_change": None,
        "underlying_price": _positive(asset.get("price"), document, f"{where}.underlying_asset.price"),
        "provider_iv": iv if iv else None,
    }
    return row, stamp


def _object(
    item: dict[str, Any], key: str, document: str, where: str, required: bool = False
) -> dict[str, Any]:
    value = item.get(key)
    if value is None:
        if required:
            raise SourceError(SOURCE, document, "missing object", field=f"{where}.{key}")
        return {}
    if not isinstance(value, dict):
        raise SourceError(SOURCE, document, "expected an object", field=f"{where}.{key}")
    return value


def _number(raw: Any, document: str, field: str, required: bool = False) -> float | None:
    if raw is None:
        if required:
            raise SourceError(SOURCE, document, "missing number", field=field)
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        raise SourceError(SOURCE, document, f"not a number: {raw!r}", field=field)
    if raw != raw:
        raise SourceError(SOURCE, document, "NaN", field=field)
    return float(raw)


def _positive(raw: Any, document: str, field: str) -> float | None:
    value = _number(raw, document, field)
    return value if value is not None and value > 0 else None


def _from_ns(ns: int) -> datetime:
    seconds, rem = divmod(ns, 1_000_000_000)
    return datetime.fromtimestamp(seconds, tz=UTC).replace(microsecond=rem // 1000)
