"""Benzinga analyst ratings: ``GET https://api.benzinga.com/api/v2.1/calendar/ratings``.

Request: ``token`` (secret), ``parameters[tickers]``, ``parameters[date_from]``,
``parameters[date_to]`` (ISO dates), ``page`` (from 0) and ``pagesize`` (:data:`RATINGS_PAGESIZE`);
pages are read until one comes back shorter than ``pagesize``. The API answers XML unless asked for
JSON, so the client sends ``Accept: application/json``.

A page is ``{"ratings": [...]}``; an empty result is ``{}``, ``[]`` or ``{"ratings": []}``. A rating has
``id, date, time, ticker, exchange, name, currency, action_company, action_pt, analyst (the firm),
analyst_name (the person), rating_current, rating_prior, pt_current, pt_prior, adjusted_pt_current,
adjusted_pt_prior, importance, notes, updated, url...``; blanks are empty strings.

Rows (dicts), one per rating:
ticker (str), rating_date (date), firm (``analyst``, str), analyst (``analyst_name``, str | None),
action (``action_company``: Maintains/Upgrades/Downgrades/Initiates Coverage On/..., str | None),
rating (``rating_current``, str | None), rating_numeric (1..5 via
:func:`valuation_platform.analytics.sentiment.ratings.rating_to_numeric`, None when unknown or blank),
prior_rating (``rating_prior``, str | None), price_target (``pt_current``, float | None),
prior_price_target (``pt_prior``, float | None), adjusted_price_target (``adjusted_pt_current``:
split-adjusted, comparable with adjusted prices; float | None), price_target_action (``action_pt``:
Raises/Lowers/Maintains/Announces, str | None), rating_id (``id``, str).

Rating strings the numeric scale does not know are never guessed: :func:`unknown_rating_strings`
lists them for a run's metadata. A record without id, ticker, firm or a valid date, or with a
non-numeric price target, raises :class:`SourceError` naming the record.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from valuation_platform.analytics.sentiment.ratings import rating_to_numeric, unknown_ratings
from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.http import HttpClient, mirror_relpath

SOURCE = "benzinga"
RATINGS_URL = "https://api.benzinga.com/api/v2.1/calendar/ratings"
RATINGS_PAGESIZE = 1000  # Benzinga's maximum
MAX_PAGES = 1000
JSON_HEADERS = {"Accept": "application/json"}


def ratings_request(
    ticker: str, date_from: date, date_to: date, *, page: int = 0, pagesize: int = RATINGS_PAGESIZE
) -> tuple[str, dict[str, Any]]:
    """``(url, params)`` of one page of ``ticker``'s ratings, without the token."""
    return RATINGS_URL, {
        "page": page,
        "pagesize": pagesize,
        "parameters[date_from]": date_from.isoformat(),
        "parameters[date_to]": date_to.isoformat(),
        "parameters[tickers]": ticker,
    }


def _text(raw: Any) -> str | None:
    return raw.strip() if isinstance(raw, str) and raw.strip() else None


def _price(record: Mapping[str, Any], key: str, document: str, where: str, rating_id: str) -> float | None:
    raw = record.get(key)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise SourceError(
            SOURCE, document, f"rating {rating_id}: not a price: {raw!r}", field=f"{where}.{key}"
        )
    try:
        value = float(raw)
    except (TypeError, ValueError) as exc:
        raise SourceError(
            SOURCE, document, f"rating {rating_id}: not a price: {raw!r}", field=f"{where}.{key}"
        ) from exc
    if not value >= 0:  # also rejects NaN
        raise SourceError(SOURCE, document, f"rating {rating_id}: bad price {raw!r}", field=f"{where}.{key}")
    return value


def _rating(record: Any, document: str, where: str) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise SourceError(SOURCE, document, "rating is not an object", field=where)
    rating_id = _text(record.get("id"))
    if rating_id is None:
        raise SourceError(SOURCE, document, "rating without an id", field=f"{where}.id")
    for key in ("ticker", "analyst"):
        if _text(record.get(key)) is None:
            raise SourceError(SOURCE, document, f"rating {rating_id} has no {key}", field=f"{where}.{key}")
    try:
        rating_date = date.fromisoformat(record.get("date"))
    except (TypeError, ValueError) as exc:
        raise SourceError(
            SOURCE,
            document,
            f"rating {rating_id}: not an ISO date: {record.get('date')!r}",
            field=f"{where}.date",
        ) from exc
    rating = _text(record.get("rating_current"))
    return {
        "ticker": record["ticker"].strip(),
        "rating_date": rating_date,
        "firm": record["analyst"].strip(),
        "analyst": _text(record.get("analyst_name")),
        "action": _text(record.get("action_company")),
        "rating": rating,
        "rating_numeric": rating_to_numeric(rating),
        "prior_rating": _text(record.get("rating_prior")),
        "price_target": _price(record, "pt_current", document, where, rating_id),
        "prior_price_target": _price(record, "pt_prior", document, where, rating_id),
        "adjusted_price_target": _price(record, "adjusted_pt_current", document, where, rating_id),
        "price_target_action": _text(record.get("action_pt")),
        "rating_id": rating_id,
    }


def _records(body: bytes, document: str) -> list[Any]:
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(SOURCE, document, f"malformed JSON: {exc}") from exc
    if payload == [] or payload == {}:
        return []
    if not isinstance(payload, dict):
        raise SourceError(
            SOURCE, document, f"expected an object with 'ratings', got {type(payload).__name__}"
        )
    records = payload.get("ratings")
    if not isinstance(records, list):
        raise SourceError(SOURCE, document, f"expected a list, got {type(records).__name__}", field="ratings")
    return records


def parse_ratings(body: bytes, document: str) -> list[dict[str, Any]]:
    """Rows of one ratings page (see the module notes for the keys)."""
    return [_rating(r, document, f"ratings[{i}]") for i, r in enumerate(_records(body, document))]


def fetch_ratings(
    client: HttpClient,
    ticker: str,
    date_from: date,
    date_to: date,
    token: str,
    *,
    pagesize: int = RATINGS_PAGESIZE,
) -> list[dict[str, Any]]:
    """Every rating of ``ticker`` dated ``date_from``..``date_to``, newest first as Benzinga sends them."""
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for page in range(MAX_PAGES):
        url, params = ratings_request(ticker, date_from, date_to, page=page, pagesize=pagesize)
        document = mirror_relpath(url, params)
        body = client.get_bytes(url, source=SOURCE, params={**params, "token": token}, headers=JSON_HEADERS)
        records = parse_ratings(body, document)
        for row in records:
            if row["rating_id"] not in seen:  # a rating published while paging can shift pages
                seen.add(row["rating_id"])
                rows.append(row)
        if len(records) < pagesize:
            return rows
    raise SourceError(SOURCE, RATINGS_URL, f"more than {MAX_PAGES} pages of {pagesize}", field="page")


def unknown_rating_strings(rows: Iterable[Mapping[str, Any]]) -> set[str]:
    """Current and prior rating strings in ``rows`` that have no numeric mapping."""
    return unknown_ratings(s for row in rows for s in (row.get("rating"), row.get("prior_rating")))
