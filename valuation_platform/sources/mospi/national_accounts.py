"""National Accounts: quarterly GDP and GVA by economic activity, real (constant 2011-12 prices) and nominal.

No real sample is kept in the repository; the layout is modelled on MoSPI's quarterly-estimates press
release tables ("Quarterly Estimates of GVA at Basic Prices by Economic Activity", Rs crore) as the
eSankhyiki NAS endpoint serves them, one record per (quarter, indicator, industry)::

    Base Year,Year,Quarter,Indicator,Industry,Current Price,Constant Price,Unit,Estimate,Release Date
    2011-12,2023-24,Q1,GDP,,7049211,4091629,Rs crore,FRE,2024-05-31
    2011-12,2023-24,Q1,GVA,Manufacturing,1023460,658560,Rs crore,FRE,2024-05-31

The API (``/api/nas/getNASData``, ``Format=JSON``) returns the same fields as record keys
(``base_year, year, quarter, indicator, industry, current_price, constant_price, ...``), so one code
path reads both. ``Year`` is the Indian fiscal year (April-March) and ``Quarter`` Q1..Q4 of it.

**ref_period is the first day of the quarter**: Q1 2023-24 -> 2023-04-01, Q2 -> 2023-07-01,
Q3 -> 2023-10-01, Q4 2023-24 -> 2024-01-01. Annual rows (Quarter blank or 'Annual') are skipped: they
are the sum of the quarters.

Each record gives two rows: ``nas_<item>_real`` (constant prices) and ``nas_<item>_nominal`` (current
prices), where item is ``gdp``, ``gva_total`` or ``gva_<activity>`` with the short activity names in
:data:`ACTIVITY_IDS` (``nas_gva_manufacturing_real``, ``nas_gva_financial_real``...). ``Estimate``
(PE/FRE/SRE/TRE...) is not a key: a revised estimate is a later ``released_at`` of the same row.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.mospi.series import (
    MOSPI,
    decode_text,
    envelope_release,
    is_json,
    macro_row,
    parse_value,
    read_api_envelope,
    read_csv_records,
    require,
    resolve_released_at,
    slug,
)

# First word(s) of the activity label (slugged) -> short id. The eight activities of the 2011-12 series.
ACTIVITY_IDS: tuple[tuple[str, str], ...] = (
    ("agriculture", "agriculture"),
    ("mining", "mining"),
    ("manufacturing", "manufacturing"),
    ("electricity", "utilities"),
    ("construction", "construction"),
    ("trade", "trade_hotels_transport"),
    ("financial", "financial"),
    ("public_administration", "public_admin"),
    ("total_gva", "total"),
    ("gva_at_basic_prices", "total"),
    ("gross_value_added", "total"),
    ("total", "total"),
)
_QUARTER_START_MONTH = {1: 4, 2: 7, 3: 10, 4: 1}


def quarter_start(fiscal_year: str, quarter: str, *, document: str, field: str) -> date:
    """First day of quarter ``Q1..Q4`` of Indian fiscal year ``'2023-24'`` (April-March)."""
    fy = str(fiscal_year).strip()
    try:
        start_year = int(fy.split("-")[0])
        q = int(str(quarter).strip().upper().lstrip("Q"))
    except ValueError as exc:
        raise SourceError(
            MOSPI, document, f"bad fiscal year/quarter {fiscal_year!r}/{quarter!r}", field=field
        ) from exc
    if q not in _QUARTER_START_MONTH or not 1950 <= start_year <= 2100:
        raise SourceError(
            MOSPI, document, f"bad fiscal year/quarter {fiscal_year!r}/{quarter!r}", field=field
        )
    return date(start_year + (1 if q == 4 else 0), _QUARTER_START_MONTH[q], 1)


def nas_item(indicator: str, industry: str) -> str:
    """``gdp``, ``gva_total`` or ``gva_<activity>``."""
    ind = slug(indicator)
    if ind in ("gdp", "gross_domestic_product"):
        return "gdp"
    activity = slug(industry)
    if not activity:
        return "gva_total"
    for prefix, short in ACTIVITY_IDS:
        if activity.startswith(prefix):
            return f"gva_{short}"
    return f"gva_{activity}"


def parse_national_accounts(
    payload: bytes, *, document: str, released_at: datetime | date | None = None
) -> list[dict[str, Any]]:
    """Long macro rows (see :mod:`.series`), two per record (real and nominal), quarterly."""
    if is_json(payload):
        records, meta = read_api_envelope(payload, source=MOSPI, document=document)
        released_at = envelope_release(meta, released_at, source=MOSPI, document=document)
    else:
        text = decode_text(payload, source=MOSPI, document=document)
        records = read_csv_records(text, source=MOSPI, document=document)
    out: list[dict[str, Any]] = []
    for n, record in enumerate(records):
        where = f"record {n}"
        quarter = str(record.get("quarter") or "").strip()
        if quarter.lower() in ("", "annual", "fy", "year"):
            continue
        indicator = str(require(record, "indicator", source=MOSPI, document=document))
        industry = " ".join(str(record.get("industry") or "").split())
        item = nas_item(indicator, industry)
        if "current_price" not in record and "constant_price" not in record:
            raise SourceError(MOSPI, document, "neither current_price nor constant_price", field=where)
        period = quarter_start(
            require(record, "year", source=MOSPI, document=document),
            quarter,
            document=document,
            field=f"{where} year",
        )
        unit = str(record.get("unit") or "Rs crore").strip()
        label = "GDP" if item == "gdp" else f"GVA: {industry or 'Total GVA at basic prices'}"
        released = resolve_released_at(record, released_at, source=MOSPI, document=document)
        for column, suffix, prices in (
            ("constant_price", "real", "constant"),
            ("current_price", "nominal", "current"),
        ):
            if column not in record:
                continue
            out.append(
                macro_row(
                    source=MOSPI,
                    series_id=f"nas_{item}_{suffix}",
                    series_name=f"{label} ({prices} prices)",
                    frequency="Q",
                    ref_period=period,
                    value=parse_value(
                        record.get(column), source=MOSPI, document=document, field=f"{where} {column}"
                    ),
                    unit=unit,
                    released_at=released,
                )
            )
    return out
