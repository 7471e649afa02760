"""Polygon daily aggregates: one ticker over a date range, or every US stock on one day.

Endpoints (both ``GET``, key in the ``apiKey`` parameter):

* ``/v2/aggs/ticker/{ticker}/range/1/day/{from}/{to}`` with ``adjusted=true&limit=50000&sort=asc``;
  long ranges are continued through ``next_url``.
* ``/v2/aggs/grouped/locale/us/market/stocks/{date}`` with ``adjusted=true``; each result names its
  ticker in ``T``.

A bar is ``{o, h, l, c, v, vw?, n?, t}``: ``t`` is the bar start in ms since the epoch (midnight New
York for ticker ranges, the 16:00 close for grouped days), so ``trade_date`` is ``t`` read in
America/New_York. ``vw`` and ``n`` are missing on some old or thin bars and become None; a bar
without any of o/h/l/c/v/t, or with a non-numeric or negative one, raises :class:`SourceError`
naming the bar. ``status`` ``OK``/``DELAYED`` is data; anything else (``ERROR``, ``NOT_AUTHORIZED``)
raises. No ``results`` (a holiday, an unknown ticker) is an empty list, not an error.

Rows (dicts), one per (ticker, trade_date):
ticker (str), trade_date (date), open/high/low/close (float), volume (float: adjusted volumes can be
fractional), vwap (float | None), transactions (int | None). :func:`aggs_frame` gives the polars
frame with :data:`AGGS_SCHEMA`.

:func:`fetch_daily_bars` and :func:`fetch_grouped_bars` are the lenient clients the ingestion assets use:
the same requests and checks, but a malformed bar is set aside (:class:`BarsResult`, with its JSON) and
the rest of its page is kept, so one bad bar never costs a ticker its whole history.

Request parameters are fixed (no time of day, fixed limit) so a mirror file name is predictable:
:func:`daily_aggs_request` and :func:`grouped_daily_request` are what both the clients and the
market generator use.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import polars as pl

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.http import SECRET_PARAMS, HttpClient, mirror_relpath

SOURCE = "polygon"
BASE_URL = "https://api.polygon.io"
AGGS_LIMIT = 50_000  # Polygon's maximum bars per page
MAX_PAGES = 1_000
OK_STATUSES = frozenset({"OK", "DELAYED"})
NEW_YORK = ZoneInfo("America/New_York")

AGGS_SCHEMA: dict[str, pl.DataType] = {
    "ticker": pl.Utf8,
    "trade_date": pl.Date,
    "open": pl.Float64,
    "high": pl.Float64,
    "low": pl.Float64,
    "close": pl.Float64,
    "volume": pl.Float64,
    "vwap": pl.Float64,
    "transactions": pl.Int64,
}
_REQUIRED = (("o", "open"), ("h", "high"), ("l", "low"), ("c", "close"), ("v", "volume"))


# -- requests ------------------------------------------------------------------------------------
def daily_aggs_request(
    ticker: str, start: date, end: date, *, adjusted: bool = True
) -> tuple[str, dict[str, Any]]:
    """``(url, params)`` of a ticker's daily bars in ``[start, end]``, without the key."""
    path = f"/v2/aggs/ticker/{quote(ticker, safe='.')}/range/1/day/{start.isoformat()}/{end.isoformat()}"
    return BASE_URL + path, {"adjusted": "true" if adjusted else "false", "limit": AGGS_LIMIT, "sort": "asc"}


def grouped_daily_request(day: date, *, adjusted: bool = True) -> tuple[str, dict[str, Any]]:
    """``(url, params)`` of every US stock's bar on ``day``, without the key."""
    return f"{BASE_URL}/v2/aggs/grouped/locale/us/market/stocks/{day.isoformat()}", {
        "adjusted": "true" if adjusted else "false"
    }


def split_next_url(next_url: str) -> tuple[str, dict[str, str]]:
    """A ``next_url`` as ``(url without query, params)``, any key in it dropped.

    Passing the cursor as parameters (not inside the URL) keeps it in the mirror file name the
    same way in every mode, and the key is re-attached by the caller, never taken from a payload.
    """
    parts = urlsplit(next_url)
    params = {
        k: v for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in SECRET_PARAMS
    }
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")), params


def iter_pages(
    client: HttpClient, url: str, params: Mapping[str, Any], api_key: str
) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(document, payload)`` for the first page and every page ``next_url`` leads to.

    Each payload has passed :func:`load_payload` (a JSON object with an OK status).
    """
    seen: set[str] = set()
    for _ in range(MAX_PAGES):
        ordered = dict(sorted(params.items()))  # a stable query order, whatever the caller's dict order
        document = mirror_relpath(url, ordered)
        if document in seen:
            raise SourceError(
                SOURCE, document, "next_url leads back to a page already read", field="next_url"
            )
        seen.add(document)
        payload = load_payload(
            client.get_bytes(url, source=SOURCE, params={**ordered, "apiKey": api_key}), document
        )
        yield document, payload
        next_url = _next_url(payload, document)
        if not next_url:
            return
        url, params = split_next_url(next_url)
    raise SourceError(SOURCE, url, f"more than {MAX_PAGES} pages", field="next_url")


# -- parsing -------------------------------------------------------------------------------------
def load_payload(body: bytes, document: str) -> dict[str, Any]:
    """The JSON object of a Polygon response with an OK status, else :class:`SourceError`."""
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(SOURCE, document, f"malformed JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise SourceError(SOURCE, document, f"expected a JSON object, got {type(payload).__name__}")
    status = payload.get("status")
    if status not in OK_STATUSES:
        message = payload.get("error") or payload.get("message") or "no message"
        raise SourceError(SOURCE, document, f"status {status!r}: {message}", field="status")
    return payload


def _next_url(payload: dict[str, Any], document: str) -> str | None:
    next_url = payload.get("next_url")
    if next_url is not None and not isinstance(next_url, str):
        raise SourceError(SOURCE, document, f"expected a URL string, got {next_url!r}", field="next_url")
    return next_url or None


@lru_cache(maxsize=65_536)
def trade_date_from_ms(ms: int) -> date:
    """The New York calendar date of a millisecond epoch timestamp."""
    return datetime.fromtimestamp(ms / 1000, tz=NEW_YORK).date()


def _results(payload: dict[str, Any], document: str) -> list[Any]:
    results = payload.get("results")
    if results is None:
        return []
    if not isinstance(results, list):
        raise SourceError(SOURCE, document, f"expected a list, got {type(results).__name__}", field="results")
    return results


def _number(bar: dict[str, Any], key: str, document: str, where: str, label: str) -> float | None:
    raw = bar.get(key)
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw):
        raise SourceError(
            SOURCE, document, f"bar {label}: not a finite number: {raw!r}", field=f"{where}.{key}"
        )
    return float(raw)


_INF = float("inf")
_PLAIN_NUMBER = (int, float)


def _bar(bar: Any, ticker: str | None, document: str, where: str) -> dict[str, Any]:
    """One row from one bar; a fast path for the normal case, the checked path to say what is wrong."""
    try:
        o, h, lo, c, v, t = bar["o"], bar["h"], bar["l"], bar["c"], bar["v"], bar["t"]
        vw, n = bar.get("vw"), bar.get("n")
        name = ticker if ticker is not None else bar["T"]
    except (KeyError, TypeError, AttributeError):
        return _checked_bar(bar, ticker, document, where)
    if (
        type(name) is str
        and name
        and type(t) in _PLAIN_NUMBER
        and all(type(x) in _PLAIN_NUMBER and 0 <= x < _INF for x in (o, h, lo, c, v))  # rejects NaN too
        and (vw is None or (type(vw) in _PLAIN_NUMBER and 0 <= vw < _INF))
        and (n is None or (type(n) in _PLAIN_NUMBER and 0 <= n < _INF))
    ):
        return {
            "ticker": name,
            "trade_date": trade_date_from_ms(int(t)),
            "open": float(o),
            "high": float(h),
            "low": float(lo),
            "close": float(c),
            "volume": float(v),
            "vwap": None if vw is None else float(vw),
            "transactions": None if n is None else int(n),
        }
    return _checked_bar(bar, ticker, document, where)


def _checked_bar(bar: Any, ticker: str | None, document: str, where: str) -> dict[str, Any]:
    if not isinstance(bar, dict):
        raise SourceError(SOURCE, document, "bar is not an object", field=where)
    if ticker is None:  # grouped daily: each bar names its ticker
        ticker = bar.get("T")
        if not isinstance(ticker, str) or not ticker:
            raise SourceError(SOURCE, document, f"bar without a ticker: {bar!r}"[:200], field=f"{where}.T")
    t = bar.get("t")
    if isinstance(t, bool) or not isinstance(t, (int, float)):
        raise SourceError(
            SOURCE, document, f"bar {ticker}: missing or non-numeric timestamp {t!r}", field=f"{where}.t"
        )
    trade_date = trade_date_from_ms(int(t))
    label = f"{ticker} {trade_date}"
    row: dict[str, Any] = {"ticker": ticker, "trade_date": trade_date}
    for key, name in _REQUIRED:
        value = _number(bar, key, document, where, label)
        if value is None:
            raise SourceError(
                SOURCE, document, f"bar {label} has no '{key}' ({name})", field=f"{where}.{key}"
            )
        if value < 0:
            raise SourceError(
                SOURCE, document, f"bar {label}: negative {name} {value}", field=f"{where}.{key}"
            )
        row[name] = value
    for key, name in (("vw", "vwap"), ("n", "transactions")):
        value = _number(bar, key, document, where, label)
        if value is not None and value < 0:
            raise SourceError(
                SOURCE, document, f"bar {label}: negative {name} {value}", field=f"{where}.{key}"
            )
        row[name] = value
    if row["transactions"] is not None:
        row["transactions"] = int(row["transactions"])
    return row


def parse_daily_aggs(body: bytes, document: str, *, ticker: str | None = None) -> list[dict[str, Any]]:
    """Rows of one ``/range/1/day/`` page; ``ticker`` (when given) must match the payload's."""
    return _daily_rows(load_payload(body, document), document, ticker)


def _daily_rows(payload: dict[str, Any], document: str, ticker: str | None) -> list[dict[str, Any]]:
    named = payload.get("ticker")
    if not isinstance(named, str) or not named:
        raise SourceError(SOURCE, document, f"missing ticker: {named!r}", field="ticker")
    if ticker is not None and named.upper() != ticker.upper():
        raise SourceError(SOURCE, document, f"payload is for {named}, expected {ticker}", field="ticker")
    return [_bar(bar, named, document, f"results[{i}]") for i, bar in enumerate(_results(payload, document))]


def parse_grouped_daily(body: bytes, document: str, *, day: date | None = None) -> list[dict[str, Any]]:
    """Rows of a grouped-daily page; every bar must fall on ``day`` (when given)."""
    return _grouped_rows(load_payload(body, document), document, day)


def _grouped_rows(payload: dict[str, Any], document: str, day: date | None) -> list[dict[str, Any]]:
    rows = [_bar(bar, None, document, f"results[{i}]") for i, bar in enumerate(_results(payload, document))]
    for i, row in enumerate(rows):
        if day is not None and row["trade_date"] != day:
            raise SourceError(
                SOURCE,
                document,
                f"bar {row['ticker']} is dated {row['trade_date']}, expected {day}",
                field=f"results[{i}].t",
            )
    _reject_duplicates(rows, document)
    return rows


def _reject_duplicates(rows: list[dict[str, Any]], document: str) -> None:
    seen: set[tuple[str, date]] = set()
    for row in rows:
        key = (row["ticker"], row["trade_date"])
        if key in seen:
            raise SourceError(SOURCE, document, f"two bars for {key[0]} on {key[1]}", field="results")
        seen.add(key)


# -- clients -------------------------------------------------------------------------------------
def fetch_daily_aggs(
    client: HttpClient, ticker: str, start: date, end: date, api_key: str, *, adjusted: bool = True
) -> list[dict[str, Any]]:
    """Daily bars of ``ticker`` from ``start`` to ``end`` (inclusive), oldest first, all pages."""
    url, params = daily_aggs_request(ticker, start, end, adjusted=adjusted)
    rows: list[dict[str, Any]] = []
    first_document = mirror_relpath(url, dict(sorted(params.items())))
    for document, payload in iter_pages(client, url, params, api_key):
        rows.extend(_daily_rows(payload, document, ticker))
    _reject_duplicates(rows, first_document)
    return rows


def fetch_grouped_daily(
    client: HttpClient, day: date, api_key: str, *, adjusted: bool = True
) -> list[dict[str, Any]]:
    """One bar per US stock that traded on ``day``; empty on a market holiday."""
    url, params = grouped_daily_request(day, adjusted=adjusted)
    rows: list[dict[str, Any]] = []
    for document, payload in iter_pages(client, url, params, api_key):
        rows.extend(_grouped_rows(payload, document, day))
    _reject_duplicates(rows, mirror_relpath(url, params))
    return rows


def aggs_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Rows as a polars frame with :data:`AGGS_SCHEMA`, sorted by ticker and trade_date."""
    columns = {name: [row[name] for row in rows] for name in AGGS_SCHEMA}  # column-wise: much faster
    return pl.DataFrame(columns, schema=AGGS_SCHEMA).sort("ticker", "trade_date")


# -- lenient loading: a bad bar is set aside, its neighbours still land --------------------------
@dataclass
class BarsResult:
    """Good rows plus one :class:`SourceError` per bar that could not become a row.

    A rejected bar's ``document`` is its page's document plus ``#results[i]`` (each bad bar can be
    quarantined on its own, and the page's other bars are kept); ``excerpts`` holds the bar's JSON
    under that document. Page-level faults (bad JSON, a status that is not OK, a payload for
    another ticker) still raise: nothing on such a page can be trusted.
    """

    rows: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[SourceError] = field(default_factory=list)
    excerpts: dict[str, bytes] = field(default_factory=dict)
    documents: list[str] = field(default_factory=list)  # every page read, in order


def _collect_bars(
    payload: dict[str, Any], document: str, ticker: str | None, day: date | None, out: BarsResult
) -> None:
    out.documents.append(document)
    for i, bar in enumerate(_results(payload, document)):
        where = f"results[{i}]"
        try:
            row = _bar(bar, ticker, document, where)
            if day is not None and row["trade_date"] != day:
                raise SourceError(
                    SOURCE, document, f"bar {row['ticker']} is dated {row['trade_date']}, expected {day}",
                    field=f"{where}.t",
                )
        except SourceError as exc:
            _set_aside(out, f"{document}#{where}", exc, bar)
            continue
        row["_document"] = f"{document}#{where}"
        out.rows.append(row)


def _set_aside(out: BarsResult, item: str, exc: SourceError, bar: Any) -> None:
    out.rejected.append(SourceError(SOURCE, item, exc.reason, field=exc.field))
    out.excerpts[item] = json.dumps(bar, default=str).encode()


def _drop_duplicates(out: BarsResult) -> BarsResult:
    """Two bars for one (ticker, day) cannot both be right: both are set aside."""
    counts: dict[tuple[str, date], int] = {}
    for row in out.rows:
        key = (row["ticker"], row["trade_date"])
        counts[key] = counts.get(key, 0) + 1
    kept = []
    for row in out.rows:
        document = row.pop("_document")
        if counts[(row["ticker"], row["trade_date"])] > 1:
            reason = f"two or more bars for {row['ticker']} on {row['trade_date']}"
            _set_aside(out, document, SourceError(SOURCE, document, reason, field="results"), row)
        else:
            kept.append(row)
    out.rows = kept
    return out


def fetch_daily_bars(
    client: HttpClient, ticker: str, start: date, end: date, api_key: str, *, adjusted: bool = True
) -> BarsResult:
    """:func:`fetch_daily_aggs`, but a malformed bar is set aside instead of failing the ticker."""
    url, params = daily_aggs_request(ticker, start, end, adjusted=adjusted)
    out = BarsResult()
    for document, payload in iter_pages(client, url, params, api_key):
        named = payload.get("ticker")
        if not isinstance(named, str) or named.upper() != ticker.upper():
            message = f"payload is for {named!r}, expected {ticker}"
            raise SourceError(SOURCE, document, message, field="ticker")
        _collect_bars(payload, document, named, None, out)
    return _drop_duplicates(out)


def fetch_grouped_bars(client: HttpClient, day: date, api_key: str, *, adjusted: bool = True) -> BarsResult:
    """:func:`fetch_grouped_daily`, but a malformed bar is set aside instead of failing the day."""
    url, params = grouped_daily_request(day, adjusted=adjusted)
    out = BarsResult()
    for document, payload in iter_pages(client, url, params, api_key):
        _collect_bars(payload, document, None, day, out)
    return _drop_duplicates(out)
