"""NSE corporate announcements (company filings under SEBI LODR Regulation 30: results, board meetings,
acquisitions, litigation updates) into the news scan's items, so each filing becomes an event with its own
research summary.

``GET www.nseindia.com/api/corporate-announcements?index=equities`` answers a JSON array, one object per
filing (real sample: ../shared/fixtures/nse/nseindiaapi_announcements.json)::

    {"symbol": "IDEA", "desc": "Updates", "dt": "18102023221142",
     "attchmntFile": "https://nsearchives.nseindia.com/corporate/IDEA_18102023221142_SE....pdf",
     "sm_name": "Vodafone Idea Limited", "sm_isin": "INE669E01016", "an_dt": "18-Oct-2023 22:11:42",
     "sort_date": "2023-10-18 22:11:42", "seq_id": "105647960", "smIndustry": "Telecommunication - Services",
     "attchmntText": "Vodafone Idea Limited has informed the Exchange regarding ...", ...}

An item: the filing's attachment URL as its link (one per filing), ``seq_id`` as guid, "<company> (<symbol>):
<subject>" as title (the symbol makes the event tag its company), the exchange's abstract as summary,
``an_dt`` (Asia/Kolkata) as published. A payload that is not a JSON array is rejected whole; a record without
symbol, subject or attachment, or with an unreadable time, alone (field ``items[i].<key>``).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.newsfeeds.feeds import SOURCE
from valuation_platform.sources.newsfeeds.parser import IST, FeedItem, ParsedFeed, normalise
from valuation_platform.sources.nse.fields import NSE_HOST, nse_timestamp, text

ANNOUNCEMENTS_PATH = "/api/corporate-announcements"
ANNOUNCEMENTS_URL = f"{NSE_HOST}{ANNOUNCEMENTS_PATH}?index=equities"


def is_announcements(url: str) -> bool:
    parts = urlsplit(url)
    return (parts.hostname or "").endswith("nseindia.com") and parts.path.rstrip("/") == ANNOUNCEMENTS_PATH


def _required(record: dict[str, Any], key: str) -> str:
    value = text(record.get(key))
    if value is None:
        raise _RecordError(key, f"{key} is missing or blank")
    return value


class _RecordError(ValueError):
    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def _item(record: Any) -> FeedItem:
    if not isinstance(record, dict):
        raise _RecordError("", f"a filing is a JSON object, got {type(record).__name__}")
    symbol, subject, link = (_required(record, k) for k in ("symbol", "desc", "attchmntFile"))
    name = text(record.get("sm_name")) or symbol
    try:
        published = nse_timestamp(record.get("an_dt"))
    except ValueError as exc:
        raise _RecordError("an_dt", str(exc)) from None
    abstract = text(record.get("attchmntText"))
    return FeedItem(
        url=link, guid=text(record.get("seq_id")), title=normalise(f"{name} ({symbol}): {subject}"),
        summary=abstract, published_at=published.replace(tzinfo=IST) if published else None,
        categories=tuple(c for c in (subject, text(record.get("smIndustry"))) if c),
    )


def parse_announcements(body: bytes, *, document: str) -> ParsedFeed:
    try:
        records = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(SOURCE, document, f"not JSON: {exc}") from exc
    if not isinstance(records, list):
        raise SourceError(SOURCE, document, f"expected a JSON array of filings, got {type(records).__name__}")
    parsed = ParsedFeed("nse_announcements", "NSE corporate announcements")
    for i, record in enumerate(records):
        try:
            parsed.items.append(_item(record))
        except _RecordError as exc:
            parsed.errors.append(SourceError(SOURCE, document, str(exc), field=f"items[{i}].{exc.key}".rstrip(".")))
    return parsed
