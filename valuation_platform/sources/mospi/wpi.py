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


class _Ids:
    """series_id per commodity code, unique even when names repeat at different levels."""

    def __init__(self) -> None:
        self.by_code: dict[str, str] = {}
        self.taken: dict[str, str] = {}

    def get(self, name: str, code: str) -> str:
        if code in self.by_code:
            return self.by_code[code]
        candidate = wpi_series_id(name)
        if candidate in self.taken and self.taken[candidate] != code:
            candidate = f"{candidate}_{code}"
        self.taken[candidate] = code
        self.by_code[code] = candidate
        return candidate


def parse_wpi(
    payload: bytes, *, document: str, released_at: datetime | date | None = None
) -> list[dict[str, Any]]:
    """Long macro rows (see :mod:`.series`) from a WPI wide CSV, long CSV or API payload."""
    if is_json(payload):
        records, meta = read_api_envelope(payload, source=MOSPI, document=document)
        fallback = envelope_release(meta, released_at, source=MOSPI, document=document)
        return _from_records(records, document, fallback)
    text = decode_text(payload, source=MOSPI, document=document)
    header = [slug(h) for h in next(csv.reader(io.StringIO(text)), [])]
    records = read_csv_records(text, source=MOSPI, document=document)
    if any(_MONTH_COLUMN.match(h) for h in header):
        return _from_wide(records, header, document, released_at)
    return _from_records(records, document, released_at)


def _from_wide(
    records: list[dict[str, str]], header: list[str], document: str, released_at: datetime | date | None
) -> list[dict[str, Any]]:
    months: list[tuple[str, date]] = []
    for h in header:
        match = _MONTH_COLUMN.match(h)
        if match:
            month, year = int(match.group(1)), int(match.group(2))
            if not 1 <= month <= 12:
                raise SourceError(MOSPI, document, f"bad month column {h!r}", field=h)
            months.append((h, date(year, month, 1)))
    ids = _Ids()
    out: list[dict[str, Any]] = []
    for n, record in enumerate(records, start=2):
        raw_name = str(require(record, "comm_name", source=MOSPI, document=document))
        code = str(record.get("comm_code") or raw_name).strip()
        name = clean_commodity_name(raw_name)
        series_id = ids.get(raw_name, code)
        released = resolve_released_at(record, released_at, source=MOSPI, document=document)
        for column, period in months:
            out.append(
                macro_row(
                    source=MOSPI,
                    series_id=series_id,
                    series_name=name,
                    frequency="M",
                    ref_period=period,
                    value=parse_value(
                        record.get(column), source=MOSPI, document=document, field=f"line {n} {column}"
                    ),
                    unit=f"index ({BASE}=100)",
                    released_at=released,
                )
            )
    return out


def _from_records(
    records: list[dict[str, Any]], document: str, released_at: datetime | date | None
) -> list[dict[str, Any]]:
    ids = _Ids()
    out: list[dict[str, Any]] = []
    for n, record in enumerate(records):
        where = f"record {n}"
        if "index_value" not in record:
            raise SourceError(
                MOSPI, document, "record has no 'index_value' field", field=f"{where} index_value"
            )
        raw_name = str(require(record, "comm_name", source=MOSPI, document=document))
        code = str(record.get("comm_code") or raw_name).strip()
        year = year_number(record.get("year"), source=MOSPI, document=document, field=f"{where} year")
        month = month_number(record.get("month"), source=MOSPI, document=document, field=f"{where} month")
        out.append(
            macro_row(
                source=MOSPI,
                series_id=ids.get(raw_name, code),
                series_name=clean_commodity_name(raw_name),
                frequency="M",
                ref_period=date(year, month, 1),
                value=parse_value(
                    record.get("index_value"), source=MOSPI, document=document, field=f"{where} index_value"
                ),
                unit=f"index ({BASE}=100)",
                released_at=resolve_released_at(record, released_at, source=MOSPI, document=document),
            )
        )
    return out
