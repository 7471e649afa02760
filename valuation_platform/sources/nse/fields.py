"""Field readers shared by the NSE reference, event and deal parsers.

NSE has no published contract for these files: blanks come as ``""``, ``"-"``, ``"NA"`` or ``"Nil"``,
numbers may carry thousands separators, dates are ``DD-Mon-YYYY`` (``17-Oct-2023``, ``21-AUG-2026``) with
month names in English whatever the process locale. Each reader raises :class:`ValueError` with the
offending text; the parsers turn it into a :class:`SourceError` naming the document and the row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from valuation_platform.sources.errors import SourceError

MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
BLANKS = frozenset({"", "-", "--", "na", "n.a.", "nil", "null", "none"})
NSE_HOST = "https://www.nseindia.com"
ARCHIVE_HOST = "https://nsearchives.nseindia.com"
# NSE's CDN refuses API calls that do not look like they come from its own pages.
API_HEADERS = {
    "Accept": "application/json, text/plain, */*",
    "Accept-Language": "en-US,en;q=0.9",
    "Referer": "https://www.nseindia.com/companies-listing/corporate-filings-announcements",
}


def text(raw: Any) -> str | None:
    """Stripped text, None for NSE's blank markers."""
    if raw is None:
        return None
    value = " ".join(str(raw).split())
    return None if value.lower() in BLANKS else value


def nse_date(raw: Any) -> date | None:
    """``DD-Mon-YYYY`` (any case), optionally followed by a time; None when blank."""
    value = text(raw)
    if value is None:
        return None
    try:
        day, month, year = value.split(" ")[0].split("-")
        return date(int(year), MONTHS[month[:3].lower()], int(day))
    except (KeyError, ValueError) as exc:
        raise ValueError(f"not a DD-Mon-YYYY date: {raw!r}") from exc


def nse_timestamp(raw: Any) -> datetime | None:
    """``DD-Mon-YYYY HH:MM[:SS]`` as a naive local (Asia/Kolkata) datetime; None when blank."""
    value = text(raw)
    if value is None:
        return None
    day = nse_date(value)
    parts = value.split(" ")
    if len(parts) != 2 or day is None:
        raise ValueError(f"not a 'DD-Mon-YYYY HH:MM' timestamp: {raw!r}")
    try:
        clock = [int(p) for p in parts[1].split(":")]
        return datetime(day.year, day.month, day.day, *clock)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"not a 'DD-Mon-YYYY HH:MM' timestamp: {raw!r}") from exc


def number(raw: Any) -> float | None:
    """A number (thousands separators allowed); None when blank."""
    if isinstance(raw, bool):
        raise ValueError(f"not a number: {raw!r}")
    if isinstance(raw, (int, float)):
        return float(raw)
    value = text(raw)
    if value is None:
        return None
    try:
        result = float(value.replace(",", ""))
    except ValueError as exc:
        raise ValueError(f"not a number: {raw!r}") from exc
    if result != result:
        raise ValueError(f"not a number: {raw!r}")
    return result


def required(value: Any, what: str) -> Any:
    if value is None:
        raise ValueError(f"{what} is missing")
    return value


def csv_rows(payload: bytes) -> Iterator[tuple[int, list[str]]]:
    """``(line number, cells)`` of a CSV payload (UTF-8, BOM or not), skipping blank lines; the line number
    is where the record starts in the file, so a quoted header cell spanning lines counts its lines."""
    buffer = io.StringIO(payload.decode("utf-8-sig", errors="replace"))
    reader = csv.reader(buffer)
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        if any(c.strip() for c in cells):
            yield line, cells


def header_index(header: Sequence[str]) -> dict[str, int]:
    """Column positions by normalised name: NSE pads header cells with spaces and newlines
    (`` SERIES``, ``"SYMBOL \\n"``), so names are compared whitespace-collapsed and upper-cased."""
    return {" ".join(h.split()).upper(): i for i, h in enumerate(header)}


@dataclass
class Parsed:
    """A document's good rows and one :class:`SourceError` per row that broke the layout (the rest land)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[SourceError] = field(default_factory=list)

    def reject(self, source: str, document: str, where: str, error: Exception) -> None:
        self.errors.append(SourceError(source, document, str(error), field=where))
