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
from datetime import date

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.mospi.release import Context, Measure, Record, ReleaseSpec, Series
from valuation_platform.sources.mospi.series import MOSPI, month_number, slug

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


def _series(record: Record, ctx: Context) -> Series:
    category = str(ctx.require(record, "category"))
    series_id, name = iip_series(ctx.text(record, "sub_category", "subcategory") or category)
    base = ctx.text(record, "base_year", "baseyear") or DEFAULT_BASE
    return Series(series_id, name, f"index ({base}=100)")


def _header_columns(top: list[str], lower: list[str], document: str) -> list[tuple[int, str]]:
    """``(position, label)`` of the index columns: the two header rows joined column by column."""
    columns: list[tuple[int, str]] = []
    carried = ""
    for i in range(1, max(len(top), len(lower))):
        upper = top[i].strip() if i < len(top) else ""
        below = lower[i].strip() if i < len(lower) else ""
        if upper:
            carried = upper
        elif below:
            upper = carried  # a blank upper cell continues the heading on its left
        label = " ".join(p for p in (upper, below) if p)
        if label:
            columns.append((i, label))
    if not columns:
        raise SourceError(MOSPI, document, "no index columns in the table header", field="Period")
    names = [iip_series(label) for _, label in columns]
    if len({series_id for series_id, _ in names}) != len(names):
        raise SourceError(MOSPI, document, f"duplicate columns: {[n for _, n in names]}", field="Period")
    return columns


def _table_records(text: str, ctx: Context) -> list[Record] | None:
    """The published table (``Period``/``Month`` header rows, ``Apr'05`` rows) as one record per cell."""
    rows = list(csv.reader(io.StringIO(text)))
    top_at = next((i for i, r in enumerate(rows[:40]) if r and slug(r[0]) == "period"), None)
    if top_at is None:
        return None
    bases = (m.group(1).replace(" ", "") for r in rows[:10] if (m := _BASE.search(" ".join(r))))
    base = next(bases, DEFAULT_BASE)  # "(Base : 2004-05=100)" in the title block
    below = rows[top_at + 1] if top_at + 1 < len(rows) else []
    lower = below if below and slug(below[0]) == "month" else []
    columns = _header_columns(rows[top_at], lower, ctx.document)
    records: list[Record] = []
    for line_no, row in enumerate(rows[top_at + 1 :], start=top_at + 2):
        first = row[0].strip() if row else ""
        if not first or slug(first) in ("month", "weight"):
            continue
        period = _table_month(first)
        if period is None:
            if records:
                break  # annual averages and growth rates follow the monthly block
            continue
        for i, label in columns:
            fields = {"year": period.year, "month": period.month, "category": label, "base_year": base,
                      "index": row[i] if i < len(row) else ""}
            records.append(Record(fields, f"line {line_no}", {"index": iip_series(label)[1]}))
    if not records:
        raise SourceError(MOSPI, ctx.document,
                          "no monthly rows (expected labels like Apr'05) under the header")
    return records


IIP = ReleaseSpec(product="iip", endpoint="iip/getIIPMonthly", params={"base_year": "2011-12"},
                  measures=(Measure("index"),), series=_series, published=_table_records)
parse_iip = IIP.parse
