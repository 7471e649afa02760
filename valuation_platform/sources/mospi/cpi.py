"""MOSPI Consumer Price Index (base 2012), All India, by sector and group.

Two layouts, one parser (:func:`parse_cpi`), same rows out:

* **Published wide CSV** (the MOSPI "All India Index" download)::

      Sector,Year,Month,Cereals and products,Meat and fish,...,General index
      Rural,2013,January,107.5,106.3,...,105.1
      Rural+Urban,2013,January,108.4,107.3,...,104.6

  ``Rural+Urban`` is the Combined index. Months are names and are not always spelled right
  ('Marcrh', 'November '), so the first three letters decide. ``NA`` and ``-`` mean missing (Housing
  has no Rural index). An optional ``Release Date`` column gives per-row release dates.
* **eSankhyiki API records** (``/api/cpi/getCPIIndex``, ``Format=JSON``) or the same fields as a long
  CSV: ``baseyear, year, month, state, sector, group, subgroup, index, inflation, status[, release_date]``.
  The series is the subgroup when there is one, else the group; ``General``/``General Index`` is the
  headline. The API's own ``inflation`` field is ignored: YoY is computed downstream from the indices so
  that every source's growth rates come from one formula.

series_id is ``cpi_<sector>_<group slug>`` (``cpi_combined_general_index``,
``cpi_rural_food_and_beverages``); state-level rows get the state slug after ``cpi_``.
"""

from __future__ import annotations

import csv
import io
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
    normalise_geography,
    normalise_sector,
    parse_value,
    read_api_envelope,
    read_csv_records,
    require,
    resolve_released_at,
    slug,
    year_number,
)

DEFAULT_BASE = "2012"
_WIDE_KEYS = ("sector", "year", "month")
_RELEASE_COLUMNS = {"release_date", "released_at", "released_on"}
_HEADLINE_NAMES = {"general", "general_index", "all_groups", "cpi_general"}


def cpi_series_id(sector: str, name: str, geography: str = ALL_INDIA) -> str:
    item = "general_index" if slug(name) in _HEADLINE_NAMES else slug(name)
    place = "" if geography == ALL_INDIA else f"{slug(geography)}_"
    return f"cpi_{place}{slug(sector)}_{item}"


def parse_cpi(
    payload: bytes, *, document: str, released_at: datetime | date | None = None
) -> list[dict[str, Any]]:
    """Long macro rows (see :mod:`.series`) from a CPI CSV or API payload; raises :class:`SourceError`."""
    if is_json(payload):
        records, meta = read_api_envelope(payload, source=MOSPI, document=document)
        fallback = envelope_release(meta, released_at, source=MOSPI, document=document)
        return _from_records(records, document, fallback)
    text = decode_text(payload, source=MOSPI, document=document)
    header = next(csv.reader(io.StringIO(text)), [])
    keys = [slug(h) for h in header]
    if all(k in keys for k in _WIDE_KEYS) and "index" not in keys:
        return _from_wide(text, header, document, released_at)
    return _from_records(read_csv_records(text, source=MOSPI, document=document), document, released_at)


def _from_wide(
    text: str, header: list[str], document: str, released_at: datetime | date | None
) -> list[dict[str, Any]]:
    keys = [slug(h) for h in header]
    pos = {k: keys.index(k) for k in _WIDE_KEYS}
    release_pos = next((i for i, k in enumerate(keys) if k in _RELEASE_COLUMNS), None)
    items = [
        (i, " ".join(h.split()))
        for i, h in enumerate(header)
        if i not in pos.values() and i != release_pos and h.strip()
    ]
    if not items:
        raise SourceError(MOSPI, document, "no index columns after Sector, Year, Month")
    rows: list[dict[str, Any]] = []
    reader = csv.reader(io.StringIO(text))
    next(reader)
    for line_no, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) < len(header):
            raise SourceError(MOSPI, document, f"line {line_no} has {len(cells)} cells, header {len(header)}")
        where = f"line {line_no}"
        sector = normalise_sector(
            cells[pos["sector"]], source=MOSPI, document=document, field=f"{where} Sector"
        )
        year = year_number(cells[pos["year"]], source=MOSPI, document=document, field=f"{where} Year")
        month = month_number(cells[pos["month"]], source=MOSPI, document=document, field=f"{where} Month")
        record = {"release_date": cells[release_pos]} if release_pos is not None else {}
        released = resolve_released_at(record, released_at, source=MOSPI, document=document)
        for i, name in items:
            rows.append(
                macro_row(
                    source=MOSPI,
                    series_id=cpi_series_id(sector, name),
                    series_name=name,
                    sector=sector,
                    frequency="M",
                    ref_period=date(year, month, 1),
                    value=parse_value(cells[i], source=MOSPI, document=document, field=f"{where} {name}"),
                    unit=f"index ({DEFAULT_BASE}=100)",
                    released_at=released,
                )
            )
    return rows


def _from_records(
    records: list[dict[str, Any]], document: str, released_at: datetime | date | None
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for n, record in enumerate(records):
        where = f"record {n}"
        if "index" not in record:
            raise SourceError(MOSPI, document, "record has no 'index' field", field=f"{where} index")
        group = str(require(record, "group", source=MOSPI, document=document))
        subgroup = " ".join(str(record.get("subgroup") or record.get("sub_group") or "").split())
        name = subgroup or " ".join(group.split())
        if slug(name) in _HEADLINE_NAMES:
            name = "General index"
        sector = normalise_sector(
            record.get("sector", ""), source=MOSPI, document=document, field=f"{where} sector"
        )
        geography = normalise_geography(record.get("state"))
        base = str(record.get("baseyear") or record.get("base_year") or DEFAULT_BASE).strip()
        year = year_number(record.get("year"), source=MOSPI, document=document, field=f"{where} year")
        month = month_number(record.get("month"), source=MOSPI, document=document, field=f"{where} month")
        rows.append(
            macro_row(
                source=MOSPI,
                series_id=cpi_series_id(sector, name, geography),
                series_name=name,
                geography=geography,
                sector=sector,
                frequency="M",
                ref_period=date(year, month, 1),
                value=parse_value(
                    record.get("index"), source=MOSPI, document=document, field=f"{where} index"
                ),
                unit=f"index ({base}=100)",
                released_at=resolve_released_at(record, released_at, source=MOSPI, document=document),
            )
        )
    return rows
