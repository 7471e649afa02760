"""One declarative spec per MOSPI release type, and the one record parser they all share.

Every MOSPI payload becomes a list of :class:`Record` first: an eSankhyiki API response and a long CSV
export give one record per JSON object / CSV row; a published wide table (CPI's sector x month sheet,
the IIP table, the WPI index file) is turned into one record per cell by the spec's ``published``
reader. :meth:`ReleaseSpec.parse` then reads every record the same way: skip it (annual rows), find
its measures, describe its series (:class:`Series`), date it, stamp its release and emit one long
macro row per measure (:func:`~valuation_platform.sources.mospi.series.macro_row`).

A record remembers where it came from (``record 3``, ``line 7``) and how its fields are labelled
there (a wide table's ``General index`` column is the record's ``index``), so an error names the field
the way the payload does: ``line 7 General index``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.mospi.series import (
    ALL_INDIA,
    MOSPI,
    decode_text,
    envelope_release,
    is_json,
    macro_row,
    month_number,
    normalise_sector,
    parse_value,
    read_api_envelope,
    read_csv_records,
    require,
    resolve_released_at,
    year_number,
)

Released = datetime | date | None


@dataclass(frozen=True)
class Record:
    """One record of a payload, its keys slugged (``release_date``, ``current_price``)."""

    values: Mapping[str, Any]
    where: str  # "record 3" (API / long CSV) or "line 7" (a published table)
    labels: Mapping[str, str] = field(default_factory=dict)  # key -> the payload's own name for it

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def label(self, key: str) -> str:
        return f"{self.where} {self.labels.get(key, key)}"


@dataclass
class Context:
    """The payload being parsed: its document name, and scratch state a spec may keep across records."""

    document: str
    state: dict[str, Any] = field(default_factory=dict)

    def error(self, message: str, field: str | None = None) -> SourceError:
        return SourceError(MOSPI, self.document, message, field=field)

    def require(self, record: Record, key: str) -> Any:
        return require(record.values, key, source=MOSPI, document=self.document)

    def text(self, record: Record, *keys: str) -> str:
        """The first non-blank of ``keys``, whitespace collapsed (``''`` when none)."""
        return " ".join(str(next((record.get(k) for k in keys if record.get(k)), "") or "").split())

    def year(self, record: Record, key: str = "year") -> int:
        return year_number(record.get(key), source=MOSPI, document=self.document, field=record.label(key))

    def month(self, record: Record, key: str = "month") -> int:
        return month_number(record.get(key), source=MOSPI, document=self.document, field=record.label(key))

    def sector(self, record: Record) -> str:
        return normalise_sector(record.get("sector", ""), source=MOSPI, document=self.document,
                                field=record.label("sector"))

    def value(self, record: Record, key: str) -> float | None:
        return parse_value(record.get(key), source=MOSPI, document=self.document, field=record.label(key))


@dataclass(frozen=True)
class Series:
    """What a record measures, apart from the period and the value."""

    series_id: str
    name: str
    unit: str
    frequency: str = "M"
    geography: str = ALL_INDIA
    sector: str | None = None


@dataclass(frozen=True)
class Measure:
    """A value field of a record. NAS records carry two (constant and current prices), each its own series."""

    field: str
    id_suffix: str = ""
    name_suffix: str = ""


def month_of_year(record: Record, ctx: Context) -> date:
    """The period of a monthly record: its ``year`` and ``month`` fields."""
    return date(ctx.year(record), ctx.month(record), 1)


@dataclass(frozen=True)
class ReleaseSpec:
    """A MOSPI release type: where the API serves it, and how its records read.

    ``series`` and ``period`` describe one record; ``published`` turns the product's published table
    layout into records (``None`` when the text is not in that layout: it is then a long CSV);
    ``skip`` drops records that are not observations (NAS annual totals).
    """

    product: str  # "cpi": the API path segment and the landing file prefix
    endpoint: str  # "cpi/getCPIIndex" under https://api.mospi.gov.in/api
    params: Mapping[str, str]  # fixed query parameters (the current series); callers add the year
    measures: tuple[Measure, ...]
    series: Callable[[Record, Context], Series]
    period: Callable[[Record, Context], date] = month_of_year
    published: Callable[[str, Context], list[Record] | None] | None = None
    skip: Callable[[Record], bool] | None = None
    fiscal_years: bool = False  # the API's year is the Indian fiscal year (April-March), not the calendar

    def request_year(self, month: date) -> int:
        """The API's ``year`` (a fiscal year by its starting year) holding ``month``."""
        return month.year - 1 if self.fiscal_years and month.month < 4 else month.year

    def year_span(self, year: int) -> tuple[date, date]:
        """First and last month one request of ``year`` covers."""
        if self.fiscal_years:
            return date(year, 4, 1), date(year + 1, 3, 1)
        return date(year, 1, 1), date(year, 12, 1)

    def records(self, payload: bytes, ctx: Context, released_at: Released) -> tuple[list[Record], Released]:
        """The payload's records and the release time to fall back on (the API's ``meta_data`` may say)."""
        if is_json(payload):
            data, meta = read_api_envelope(payload, source=MOSPI, document=ctx.document)
            released_at = envelope_release(meta, released_at, source=MOSPI, document=ctx.document)
            return [Record(r, f"record {n}") for n, r in enumerate(data)], released_at
        text = decode_text(payload, source=MOSPI, document=ctx.document)
        table = self.published(text, ctx) if self.published else None
        if table is not None:
            return table, released_at
        rows = read_csv_records(text, source=MOSPI, document=ctx.document)
        return [Record(r, f"record {n}") for n, r in enumerate(rows)], released_at

    def parse(self, payload: bytes, *, document: str, released_at: Released = None) -> list[dict[str, Any]]:
        """Long macro rows (see :mod:`.series`) from any layout of this release; raises SourceError."""
        ctx = Context(document)
        records, released_at = self.records(payload, ctx, released_at)
        rows: list[dict[str, Any]] = []
        for record in records:
            if self.skip is not None and self.skip(record):
                continue
            measures = [m for m in self.measures if m.field in record.values]
            if not measures:
                names = sorted((m.field for m in self.measures), reverse=True)
                if len(names) == 1:
                    raise ctx.error(f"record has no {names[0]!r} field", field=record.label(names[0]))
                raise ctx.error(f"neither {' nor '.join(names)}", field=record.where)
            series = self.series(record, ctx)
            period = self.period(record, ctx)
            released = resolve_released_at(record.values, released_at, source=MOSPI, document=document)
            for measure in measures:
                rows.append(
                    macro_row(
                        source=MOSPI,
                        series_id=series.series_id + measure.id_suffix,
                        series_name=series.name + measure.name_suffix,
                        geography=series.geography,
                        sector=series.sector,
                        frequency=series.frequency,
                        ref_period=period,
                        value=ctx.value(record, measure.field),
                        unit=series.unit,
                        released_at=released,
                    )
                )
        return rows
