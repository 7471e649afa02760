"""The current-filings sensor's logic: market hours, the cursor, and which runs new filings call for.

The cursor is a high-water mark on the feed's ``updated`` (acceptance) time plus the accessions seen in
the last hour before it. EDGAR sometimes disseminates a filing minutes after a later-accepted one, so a
bare "newer than" test would lose it; remembering an hour of accessions keeps it new exactly once.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from valuation_platform.sources.sec.calendar import is_sec_business_day
from valuation_platform.sources.sec.filing_index import FORM4_TYPES

EASTERN = ZoneInfo("America/New_York")
MARKET_OPEN, MARKET_CLOSE = time(9, 30), time(16, 0)
LOOKBACK = timedelta(hours=1)


def in_market_hours(now: datetime) -> bool:
    """09:30-16:00 America/New_York on an EDGAR business day (no filings appear on the others)."""
    local = now.astimezone(EASTERN)
    return is_sec_business_day(local.date()) and MARKET_OPEN <= local.time() < MARKET_CLOSE


@dataclass(frozen=True)
class FeedCursor:
    """Accessions seen within LOOKBACK of the newest acceptance time seen (UTC)."""

    seen: tuple[tuple[str, datetime], ...] = ()

    @property
    def high_water(self) -> datetime | None:
        return max((t for _, t in self.seen), default=None)

    def to_json(self) -> str:
        return json.dumps({accession: t.isoformat() for accession, t in sorted(self.seen)})

    @classmethod
    def from_json(cls, raw: str | None) -> FeedCursor:
        data = json.loads(raw) if raw else {}
        return cls(tuple(sorted((a, datetime.fromisoformat(t)) for a, t in data.items())))


@dataclass(frozen=True)
class PlannedRun:
    """One run for one filing-date partition, for the new accessions filed that day."""

    filing_date: date
    accessions: tuple[str, ...]

    @property
    def partition_key(self) -> str:
        return self.filing_date.isoformat()

    @property
    def run_key(self) -> str:
        digest = hashlib.sha1(",".join(self.accessions).encode()).hexdigest()[:16]
        return f"form4-{self.partition_key}-{digest}"


def plan_runs(
    filings: Iterable[dict[str, Any]], cursor: FeedCursor, today: date
) -> tuple[list[PlannedRun], FeedCursor]:
    """New Form 4 filings (``feed_filings`` rows) grouped by filing date, and the cursor after them.

    A filing is new when the cursor has not seen its accession and it was accepted after
    ``high_water - LOOKBACK`` (older ones predate the cursor's memory: they were handled before).
    Filing dates after ``today`` (Eastern) have no partition yet: they stay out of the cursor so a later
    evaluation still sees them as new.
    """
    seen = dict(cursor.seen)
    floor = cursor.high_water - LOOKBACK if cursor.high_water else None
    new: dict[date, list[str]] = defaultdict(list)
    for filing in filings:
        day = filing["filing_date"]
        if (
            filing["form_type"] not in FORM4_TYPES
            or day is None
            or day > today
            or not is_sec_business_day(day)
        ):
            continue
        accession, updated = filing["accession"], filing["updated"].astimezone(UTC)
        if accession not in seen and (floor is None or updated > floor):
            new[day].append(accession)
        seen[accession] = updated
    newest = max(seen.values(), default=None)
    kept = tuple(sorted((a, t) for a, t in seen.items() if newest is not None and t > newest - LOOKBACK))
    runs = [PlannedRun(day, tuple(sorted(accessions))) for day, accessions in sorted(new.items())]
    return runs, FeedCursor(kept)
