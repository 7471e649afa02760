"""Wholesale Price Index (base 2011-12): major groups, groups and items, monthly.

WPI is compiled by the Office of the Economic Adviser (DPIIT) and served by MoSPI's eSankhyiki API.
No real sample is kept in the repository, so the layouts below are modelled on the OEA's published
"monthly index" download and on the API's record shape. One parser (:func:`parse_wpi`), same rows out:

* **Published wide CSV** (one row per commodity, one column per month)::

      COMM_NAME,COMM_CODE,COMM_WT,INDX042023,INDX052023,...
      All commodities,1000000000,100,151.1,149.4,...
      I    PRIMARY ARTICLES,1100000000,22.62,173.4,...
      (A).  FOOD ARTICLES,1101000000,15.26,...
      II   FUEL & POWER,1200000000,13.15,...
      III   MANUFACTURED PRODUCTS,1300000000,64.23,...
      (A).  MANUFACTURE OF BASIC METALS,1316000000,9.65,...

  Month columns are ``INDX<MM><YYYY>``; blank, ``NA`` or ``-`` cells are missing values. An optional
  ``RELEASE_DATE`` column holds the release of the newest month in the file.
* **API records** (``/api/wpi/getWpiRecords``, ``Format=JSON``) or a long CSV with the same fields:
  ``year, month, comm_name, comm_code, comm_wt, index_value[, release_date]``.

series_id is ``wpi_<name>`` after dropping the enumerator ('I', '(A).', 'a1.') and a leading
'Manufacture of ': ``wpi_all_commodities``, ``wpi_primary_articles``, ``wpi_fuel_power``,
``wpi_manufactured_products``, ``wpi_basic_metals``. When two commodity codes clean to the same
name the code is appended, so ids stay unique per commodity.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.mospi.release import Context, Measure, Record, ReleaseSpec, Series
from valuation_platform.sources.mospi.series import MOSPI, read_csv_records, slug

BASE = "2011-12"
_ENUMERATOR = re.compile(r"^\s*(?:[IVX]+\.?|\(?[A-Za-z]\)\.?|[A-Za-z]\d*\.|\d+(?:\.\d+)*\.?)\s+(?=\S)")
_MONTH_COLUMN = re.compile(r"^indx(\d{2})(\d{4})$")


def clean_commodity_name(raw: str) -> str:
    """``'(A).  MANUFACTURE OF BASIC METALS'`` -> ``'Manufacture Of Basic Metals'``, the series label."""
    name = " ".join(str(raw).split())
    stripped = _ENUMERATOR.sub("", name, count=1) or name
    return stripped.title() if stripped.isupper() else stripped


def wpi_series_id(name: str) -> str:
    key = slug(clean_commodity_name(name))
    return "wpi_" + re.sub(r"^manufacture_of_", "", key)


def _series(record: Record, ctx: Context) -> Series:
    """series_id per commodity code, unique within the payload even when names repeat at different levels."""
    raw_name = str(ctx.require(record, "comm_name"))
    code = str(record.get("comm_code") or raw_name).strip()
    by_code: dict[str, str] = ctx.state.setdefault("id_by_code", {})
    if code not in by_code:
        candidate = wpi_series_id(raw_name)
        if candidate in by_code.values():
            candidate = f"{candidate}_{code}"
        by_code[code] = candidate
    return Series(by_code[code], clean_commodity_name(raw_name), f"index ({BASE}=100)")


def _wide_records(text: str, ctx: Context) -> list[Record] | None:
    """The published index file (one row per commodity, ``INDX<MM><YYYY>`` columns) as one record per cell."""
    header = [slug(h) for h in next(csv.reader(io.StringIO(text)), [])]
    months: list[tuple[str, date]] = []
    for h in header:
        match = _MONTH_COLUMN.match(h)
        if match:
            month, year = int(match.group(1)), int(match.group(2))
            if not 1 <= month <= 12:
                raise SourceError(MOSPI, ctx.document, f"bad month column {h!r}", field=h)
            months.append((h, date(year, month, 1)))
    if not months:
        return None
    columns = {h for h, _ in months}
    records: list[Record] = []
    for n, row in enumerate(read_csv_records(text, source=MOSPI, document=ctx.document), start=2):
        fields = {k: v for k, v in row.items() if k not in columns}
        records += [
            Record({**fields, "year": period.year, "month": period.month, "index_value": row.get(column)},
                   f"line {n}", {"index_value": column})
            for column, period in months
        ]
    return records


WPI = ReleaseSpec(product="wpi", endpoint="wpi/getWpiRecords", params={"base_year": "2011-12"},
                  measures=(Measure("index_value"),), series=_series, published=_wide_records)
parse_wpi = WPI.parse
