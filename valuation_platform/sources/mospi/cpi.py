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

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.mospi.release import Context, Measure, Record, ReleaseSpec, Series
from valuation_platform.sources.mospi.series import ALL_INDIA, MOSPI, normalise_geography, slug

DEFAULT_BASE = "2012"
_WIDE_KEYS = ("sector", "year", "month")
_RELEASE_COLUMNS = {"release_date", "released_at", "released_on"}
_HEADLINE_NAMES = {"general", "general_index", "all_groups", "cpi_general"}


def cpi_series_id(sector: str, name: str, geography: str = ALL_INDIA) -> str:
    item = "general_index" if slug(name) in _HEADLINE_NAMES else slug(name)
    place = "" if geography == ALL_INDIA else f"{slug(geography)}_"
    return f"cpi_{place}{slug(sector)}_{item}"


def _series(record: Record, ctx: Context) -> Series:
    """The subgroup when there is one, else the group; every spelling of the headline is 'General index'."""
    ctx.require(record, "group")
    name = ctx.text(record, "subgroup", "sub_group") or ctx.text(record, "group")
    if slug(name) in _HEADLINE_NAMES:
        name = "General index"
    sector = ctx.sector(record)
    geography = normalise_geography(record.get("state"))
    base = ctx.text(record, "baseyear", "base_year") or DEFAULT_BASE
    return Series(cpi_series_id(sector, name, geography), name, f"index ({base}=100)",
                  geography=geography, sector=sector)


def _wide_records(text: str, ctx: Context) -> list[Record] | None:
    """The published sheet (Sector, Year, Month, one column per group) as one record per cell."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    keys = [slug(h) for h in header]
    if not all(k in keys for k in _WIDE_KEYS) or "index" in keys:
        return None
    pos = {k: keys.index(k) for k in _WIDE_KEYS}
    release_pos = next((i for i, k in enumerate(keys) if k in _RELEASE_COLUMNS), None)
    items = [(i, " ".join(h.split())) for i, h in enumerate(header)
             if i not in pos.values() and i != release_pos and h.strip()]
    if not items:
        raise SourceError(MOSPI, ctx.document, "no index columns after Sector, Year, Month")
    labels = {k: header[i].strip() for k, i in pos.items()}
    records: list[Record] = []
    for line_no, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) < len(header):
            raise SourceError(MOSPI, ctx.document,
                              f"line {line_no} has {len(cells)} cells, header {len(header)}")
        row = {k: cells[i] for k, i in pos.items()}
        if release_pos is not None:
            row["release_date"] = cells[release_pos]
        records += [
            Record({**row, "group": name, "index": cells[i]}, f"line {line_no}", {**labels, "index": name})
            for i, name in items
        ]
    return records


CPI = ReleaseSpec(product="cpi", endpoint="cpi/getCPIIndex", params={"base_year": "2012", "series": "Current"},
                  measures=(Measure("index"),), series=_series, published=_wide_records)
parse_cpi = CPI.parse
