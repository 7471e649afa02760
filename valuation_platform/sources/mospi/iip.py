"""MOSPI Index of Industrial Production, monthly: use-based, sectoral and NIC 2-digit indices.

One parser (:func:`parse_iip`) for three inputs, same rows out:

* **Published table CSV** (MOSPI's "Index of Industrial Production" sheet saved as CSV, UTF-8 BOM)::

      INDEX OF INDUSTRIAL PRODUCTION,,,
      (Base : 2004-05=100),,,
      Use-based indices,,,
      Period,Basic,Capital,Intermediate,Consumer goods,,,General
      Month,goods,goods,goods,Total,  Durables,  Non-durables,Index
      Weight,456.82,88.25,156.86,298.08,84.60,213.47,1000
      Apr'05,100.3,85.3,97.9,101.9,107.2,99.8,99.1
      ...
      Annual Average (Apr-Mar) Indices,,,
      2005-06,106.1,...

  The two header rows are joined column by column; a blank cell in the upper row continues the
  heading to its left ("Consumer goods" + "Durables"). The Weight row and everything after the first
  non-month row (annual averages, growth rates) are skipped: annual figures are derivable and growth is
  computed downstream. The **sectoral variant** has the same shape with the columns
  ``Mining, Manufacturing, Electricity, General``. The base year comes from the ``(Base : ...)`` line.
* **eSankhyiki API records** (``/api/iip/getIIPMonthly``, ``Format=JSON``) or a long CSV with the same
  fields: ``base_year, year, month, type, category, sub_category, index, growth_rate[, release_date]``
  where ``type`` is ``Sectoral``, ``Use-based`` or ``NIC 2-digit``.

series_id is ``iip_<category>``: ``iip_general``, ``iip_manufacturing``, ``iip_capital_goods``,
``iip_consumer_durables``, ``iip_basic_metals`` ('Manufacture of ' is dropped from NIC names). The
base year is not part of the id (a rebased series continues the same id; ``unit`` names the base).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from typing import Any

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.mospi.series import (
    MOSPI,
    decode_text,
    envelope_release,
    is_json,
    macro_row,
    month_number,
    parse_value,
    read_api_envelope,
    read_csv_records,
    require,
    resolve_released_at,
    slug,
    year_number,
)

DEFAULT_BASE = "2011-12"
# Publisher labels (slugged) -> (series_id, display name). Old (2004-05) and current (2011-12) bases
# name the use-based categories differently; both are listed.
CATEGORY_ALIASES: dict[str, tuple[str, str]] = {
    "general": ("iip_general", "General Index"),
    "general_index": ("iip_general", "General Index"),
    "mining": ("iip_mining", "Mining"),
    "manufacturing": ("iip_manufacturing", "Manufacturing"),
    "electricity": ("iip_electricity", "Electricity"),
    "basic_goods": ("iip_basic_goods", "Basic goods"),
    "primary_goods": ("iip_primary_goods", "Primary goods"),
    "capital_goods": ("iip_capital_goods", "Capital goods"),
    "intermediate_goods": ("iip_intermediate_goods", "Intermediate goods"),
    "infrastructure_construction_goods": (
        "iip_infrastructure_construction_goods",
        "Infrastructure/construction goods",
    ),
    "consumer_goods": ("iip_consumer_goods", "Consumer goods"),
    "consumer_goods_total": ("iip_consumer_goods", "Consumer goods"),
    "consumer_goods_durables": ("iip_consumer_durables", "Consumer durables"),
    "consumer_durables": ("iip_consumer_durables", "Consumer durables"),
    "consumer_goods_non_durables": ("iip_consumer_non_durables", "Consumer non-durables"),
    "consumer_non_durables": ("iip_consumer_non_durables", "Consumer non-durables"),
}
_TABLE_MONTH = re.compile(r"^([A-Za-z]{3,5})\s*['’`]\s*(\d{2}|\d{4})$")
_BASE = re.compile(r"base\s*:?\s*(\d{4}\s*-\s*\d{2,4})\s*=\s*100", re.IGNORECASE)


def iip_series(name: str) -> tuple[str, str]:
    """``(series_id, display name)`` for a publisher's category label."""
    key = slug(name)
    if key in CATEGORY_ALIASES:
        return CATEGORY_ALIASES[key]
    stripped = re.sub(r"^manufacture_of_", "", key)
    return f"iip_{stripped}", " ".join(name.split())


def parse_iip(
    payload: bytes, *, document: str, released_at: datetime | date | None = None
) -> list[dict[str, Any]]:
    """Long macro rows (see :mod:`.series`) from an IIP table CSV, long CSV or API payload."""
    if is_json(payload):
        records, meta = read_api_envelope(payload, source=MOSPI, document=document)
        fallback = envelope_release(meta, released_at, source=MOSPI, document=document)
        return _from_records(records, document, fallback)
    text = decode_text(payload, source=MOSPI, document=document)
    rows = list(csv.reader(io.StringIO(text)))
    first_cells = [slug(r[0]) if r else "" for r in rows[:40]]
    if "period" in first_cells:
        return _from_table(rows, document, released_at)
    return _from_records(read_csv_records(text, source=MOSPI, document=document), document, released_at)


def _table_month(cell: str) -> date | None:
    match = _TABLE_MONTH.match(cell.strip())
    if not match:
        return None
    try:
        month = month_number(match.group(1), source=MOSPI, document="", field="")
    except SourceError:
        return None
    yy = int(match.group(2))
    year = yy if yy > 999 else (2000 + yy if yy < 70 else 1900 + yy)
    return date(year, month, 1)


def _from_table(
    rows: list[list[str]], document: str, released_at: datetime | date | None
) -> list[dict[str, Any]]:
    base = DEFAULT_BASE
    for row in rows[:10]:
        found = _BASE.search(" ".join(row))
        if found:
            base = found.group(1).replace(" ", "")
            break
    top_at = next(i for i, r in enumerate(rows) if r and slug(r[0]) == "period")
    top = rows[top_at]
    lower = (
        rows[top_at + 1]
        if top_at + 1 < len(rows) and rows[top_at + 1] and slug(rows[top_at + 1][0]) == "month"
        else []
    )
    width = max(len(top), len(lower))
    columns: list[tuple[int, str, str]] = []  # (position, series_id, display name)
    carried = ""
    for i in range(1, width):
        upper = top[i].strip() if i < len(top) else ""
        below = lower[i].strip() if i < len(lower) else ""
        if upper:
            carried = upper
        elif below:
            upper = carried  # a blank upper cell continues the heading on its left
        label = " ".join(p for p in (upper, below) if p)
        if not label:
            continue
        series_id, name = iip_series(label)
        columns.append((i, series_id, name))
    if not columns:
        raise SourceError(MOSPI, document, "no index columns in the table header", field="Period")
    if len({c[1] for c in columns}) != len(columns):
        raise SourceError(MOSPI, document, f"duplicate columns: {[c[2] for c in columns]}", field="Period")

    released = None
    out: list[dict[str, Any]] = []
    started = False
    for line_no, row in enumerate(rows[top_at + 1 :], start=top_at + 2):
        first = row[0].strip() if row else ""
        if not first or slug(first) in ("month", "weight"):
            continue
        period = _table_month(first)
        if period is None:
            if started:
                break  # annual averages and growth rates follow the monthly block
            continue
        started = True
        if released is None:
            released = resolve_released_at({}, released_at, source=MOSPI, document=document)
        for i, series_id, name in columns:
            cell = row[i] if i < len(row) else ""
            out.append(
                macro_row(
                    source=MOSPI,
                    series_id=series_id,
                    series_name=name,
                    frequency="M",
                    ref_period=period,
                    value=parse_value(cell, source=MOSPI, document=document, field=f"line {line_no} {name}"),
                    unit=f"index ({base}=100)",
                    released_at=released,
                )
            )
    if not started:
        raise SourceError(MOSPI, document, "no monthly rows (expected labels like Apr'05) under the header")
    return out


def _from_records(
    records: list[dict[str, Any]], document: str, released_at: datetime | date | None
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for n, record in enumerate(records):
        where = f"record {n}"
        if "index" not in record:
            raise SourceError(MOSPI, document, "record has no 'index' field", field=f"{where} index")
        category = str(require(record, "category", source=MOSPI, document=document))
        sub = " ".join(str(record.get("sub_category") or record.get("subcategory") or "").split())
        series_id, name = iip_series(sub or category)
        base = str(record.get("base_year") or record.get("baseyear") or DEFAULT_BASE).strip()
        year = year_number(record.get("year"), source=MOSPI, document=document, field=f"{where} year")
        month = month_number(record.get("month"), source=MOSPI, document=document, field=f"{where} month")
        out.append(
            macro_row(
                source=MOSPI,
                series_id=series_id,
                series_name=name,
                frequency="M",
                ref_period=date(year, month, 1),
                value=parse_value(
                    record.get("index"), source=MOSPI, document=document, field=f"{where} index"
                ),
                unit=f"index ({base}=100)",
                released_at=resolve_released_at(record, released_at, source=MOSPI, document=document),
            )
        )
    return out
