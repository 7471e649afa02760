"""The long macro-series row every India macro parser returns, and the helpers they share.

One row per (series, period, release)::

    source       str             'MOSPI', 'RBI', 'Investing.com', ...
    series_id    str             stable slug, e.g. 'cpi_combined_general_index', 'iip_manufacturing'
    series_name  str             the publisher's label, e.g. 'General index'
    geography    str             'All India' (or a state / 'India' for market series)
    sector       str | None      'Rural' / 'Urban' / 'Combined' where the release has one (CPI, PLFS)
    frequency    str             'D' daily, 'M' monthly, 'Q' quarterly, 'E' event (policy-rate decisions)
    ref_period   datetime.date   first day of the month / quarter; daily and event data keep their date
    value        float | None    None where the publisher printed NA, '-' or nothing
    unit         str             e.g. 'index (2012=100)', 'percent', 'Rs crore'
    released_at  datetime        tz-aware UTC; when this value was published

Revisions: a later release of the same ``(series_id, ref_period)`` carries a later ``released_at``.
The warehouse keys raw rows on ``(series_id, ref_period, released_at)`` so the earlier value is kept,
and :func:`latest_release` (or dbt) picks the newest one. ``released_at`` comes from the payload when it
says (a ``release_date`` field on a record or in the API's ``meta_data``), otherwise from the caller
(the fetch time or the dropped file's timestamp). A row without one is refused: a value whose release
time is unknown cannot be ordered against its revisions.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from valuation_platform.sources.errors import SourceError

MOSPI = "MOSPI"
ALL_INDIA = "All India"
MACRO_ROW_KEYS = (
    "source",
    "series_id",
    "series_name",
    "geography",
    "sector",
    "frequency",
    "ref_period",
    "value",
    "unit",
    "released_at",
)
MISSING_TOKENS = frozenset({"", "na", "n.a.", "n/a", "-", "--", "..", "nan", "null", "none", "*"})
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
    )
}
_MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_SECTORS = {
    "rural": "Rural",
    "urban": "Urban",
    "combined": "Combined",
    "rural+urban": "Combined",
    "rural + urban": "Combined",
    "total": "Combined",
}
_RELEASE_KEYS = ("release_date", "released_at", "released_on", "release_datetime")


def slug(text: str) -> str:
    """``'Prepared meals, snacks, sweets etc.'`` -> ``'prepared_meals_snacks_sweets_etc'``."""
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")


def decode_text(payload: bytes, *, source: str, document: str) -> str:
    """Text of a CSV payload: UTF-8 (BOM dropped), falling back to Windows-1252 as Excel writes it."""
    if not isinstance(payload, (bytes, bytearray)):
        raise SourceError(source, document, f"expected bytes, got {type(payload).__name__}")
    try:
        return bytes(payload).decode("utf-8-sig")
    except UnicodeDecodeError:
        return bytes(payload).decode("cp1252", errors="strict")


def is_json(payload: bytes) -> bool:
    head = bytes(payload[:64]).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] in (b"{", b"[")


def _edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def month_number(token: Any, *, source: str, document: str, field: str) -> int:
    """1-12 from a month name, abbreviation or number.

    Tolerant of what MOSPI files really contain ('Sept', 'November ', 'Marcrh'): a prefix of the month's
    name, or a name within two typing errors of it that starts with the right three letters.
    """
    text = str(token).strip().lower().rstrip(".")
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    number = _MONTHS.get(text[:3]) if len(text) >= 3 and text.isalpha() else None
    if number is not None:
        full = _MONTH_NAMES[number - 1]
        if full.startswith(text) or _edit_distance(text, full) <= 2:
            return number
    raise SourceError(source, document, f"not a month: {token!r}", field=field)


def year_number(token: Any, *, source: str, document: str, field: str) -> int:
    text = str(token).strip().removesuffix(".0")  # Excel round-trips integers as floats
    if not (text.isdigit() and 1900 <= int(text) <= 2100):
        raise SourceError(source, document, f"not a year: {token!r}", field=field)
    return int(text)


def parse_value(raw: Any, *, source: str, document: str, field: str) -> float | None:
    """A float, or None for the publisher's missing markers (NA, '-', blank)."""
    if raw is None:
        return None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return float(raw)
    text = str(raw).strip().replace(",", "")
    if text.lower() in MISSING_TOKENS:
        return None
    text = text.removesuffix("%")
    try:
        return float(text)
    except ValueError as exc:
        raise SourceError(source, document, f"not a number: {raw!r}", field=field) from exc


def normalise_sector(raw: Any, *, source: str, document: str, field: str = "sector") -> str:
    sector = _SECTORS.get(str(raw).strip().lower())
    if sector is None:
        raise SourceError(
            source, document, f"unknown sector {raw!r} (expected Rural, Urban or Combined)", field=field
        )
    return sector


def normalise_geography(raw: Any) -> str:
    text = " ".join(str(raw or "").split())
    return ALL_INDIA if text.lower() in ("", "all india", "india", "all-india") else text


def to_utc(
    value: datetime | date | str, *, source: str, document: str, field: str = "released_at"
) -> datetime:
    """A tz-aware UTC timestamp. A bare date means 00:00 UTC that day; naive datetimes are taken as UTC."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    text = str(value).strip()
    for parse in (
        datetime.fromisoformat,
        lambda t: datetime.strptime(t, "%d-%m-%Y"),
        lambda t: datetime.strptime(t, "%d %b %Y"),
    ):
        try:
            return to_utc(parse(text), source=source, document=document, field=field)
        except ValueError:
            continue
    raise SourceError(source, document, f"not a date or timestamp: {value!r}", field=field)


def resolve_released_at(
    record: Mapping[str, Any],
    fallback: datetime | date | None,
    *,
    source: str,
    document: str,
) -> datetime:
    """The record's own release date when it has one, else the caller's; refuse rows with neither."""
    for key in _RELEASE_KEYS:
        raw = record.get(key)
        if raw not in (None, ""):
            return to_utc(raw, source=source, document=document, field=key)
    if fallback is None:
        raise SourceError(
            source,
            document,
            "no release date in the payload and none passed by the caller",
            field="released_at",
        )
    return to_utc(fallback, source=source, document=document)


def envelope_release(
    meta: Mapping[str, Any], caller: datetime | date | None, *, source: str, document: str
) -> datetime | date | None:
    """The response-level release date (``meta_data.release_date``) when present, else the caller's."""
    for key in _RELEASE_KEYS:
        raw = meta.get(key)
        if raw not in (None, ""):
            return to_utc(raw, source=source, document=document, field=f"meta_data.{key}")
    return caller


def macro_row(
    *,
    source: str,
    series_id: str,
    series_name: str,
    ref_period: date,
    value: float | None,
    unit: str,
    released_at: datetime,
    frequency: str,
    geography: str = ALL_INDIA,
    sector: str | None = None,
) -> dict[str, Any]:
    return {
        "source": source,
        "series_id": series_id,
        "series_name": series_name,
        "geography": geography,
        "sector": sector,
        "frequency": frequency,
        "ref_period": ref_period,
        "value": value,
        "unit": unit,
        "released_at": released_at,
    }


def normalise_keys(record: Mapping[str, Any]) -> dict[str, Any]:
    """Keys as slugs, so ``'Current Price'`` (CSV header) and ``'current_price'`` (API JSON) read alike."""
    return {slug(str(k)): v for k, v in record.items() if k is not None}


def read_api_envelope(
    payload: bytes, *, source: str, document: str
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """``data`` records and ``meta_data`` of an eSankhyiki JSON response (or a bare JSON list of records).

    The envelope is ``{"data": [...], "msg": "...", "statusCode": true, "meta_data": {"totalRecords": n,
    ...}}``. ``statusCode: false`` is an API error. A page holding fewer records than ``totalRecords`` is
    refused rather than stored as if complete: the caller must raise ``limit`` or page.
    """
    try:
        body = json.loads(bytes(payload).decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(source, document, f"malformed JSON: {exc}") from exc
    if isinstance(body, list):
        data, meta = body, {}
    elif isinstance(body, dict):
        if body.get("statusCode") is False:
            raise SourceError(
                source, document, f"API error: {body.get('msg') or 'statusCode false'}", field="statusCode"
            )
        data = body.get("data")
        meta = body.get("meta_data") or {}
        if data is None:
            raise SourceError(
                source, document, f"no 'data' in response ({body.get('msg') or 'no msg'})", field="data"
            )
    else:
        raise SourceError(source, document, "expected a JSON object or list")
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise SourceError(source, document, "'data' is not a list of records", field="data")
    if not isinstance(meta, dict):
        raise SourceError(source, document, "'meta_data' is not an object", field="meta_data")
    total = meta.get("totalRecords")
    if isinstance(total, int) and total > len(data):
        raise SourceError(
            source,
            document,
            f"partial page: {len(data)} of {total} records; raise 'limit' or page",
            field="meta_data",
        )
    return [normalise_keys(r) for r in data], normalise_keys(meta)


def read_csv_records(text: str, *, source: str, document: str) -> list[dict[str, str]]:
    """Rows of a plain header-first CSV with slugged keys; blank lines skipped."""
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    out: list[dict[str, str]] = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = [slug(h) for h in row]
            continue
        if len(row) > len(header) and any(cell.strip() for cell in row[len(header) :]):
            raise SourceError(
                source, document, f"row has {len(row)} cells, header has {len(header)}", field=row[0]
            )
        out.append({h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header) if h})
    if header is None:
        raise SourceError(source, document, "empty CSV")
    return out


def read_records(
    payload: bytes, *, source: str, document: str
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Records from either an API JSON envelope or a long-layout CSV, keys slugged; plus API metadata."""
    if is_json(payload):
        return read_api_envelope(payload, source=source, document=document)
    text = decode_text(payload, source=source, document=document)
    return read_csv_records(text, source=source, document=document), {}


def require(record: Mapping[str, Any], key: str, *, source: str, document: str) -> Any:
    value = record.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise SourceError(source, document, f"missing {key!r}", field=key)
    return value.strip() if isinstance(value, str) else value


def latest_release(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per ``(series_id, ref_period)``: the one with the latest ``released_at``."""
    best: dict[tuple[str, date], dict[str, Any]] = {}
    for row in rows:
        key = (row["series_id"], row["ref_period"])
        current = best.get(key)
        if current is None or row["released_at"] >= current["released_at"]:
            best[key] = dict(row)
    return sorted(best.values(), key=lambda r: (r["series_id"], r["ref_period"]))
