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

from datetime import date

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.mospi.release import Context, Measure, Record, ReleaseSpec, Series
from valuation_platform.sources.mospi.series import MOSPI, slug

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


def _annual(record: Record) -> bool:
    """Annual rows (Quarter blank or 'Annual') are the sum of the quarters: not stored."""
    return str(record.get("quarter") or "").strip().lower() in ("", "annual", "fy", "year")


def _series(record: Record, ctx: Context) -> Series:
    industry = ctx.text(record, "industry")
    item = nas_item(str(ctx.require(record, "indicator")), industry)
    label = "GDP" if item == "gdp" else f"GVA: {industry or 'Total GVA at basic prices'}"
    return Series(f"nas_{item}", label, ctx.text(record, "unit") or "Rs crore", frequency="Q")


def _period(record: Record, ctx: Context) -> date:
    quarter = str(record.get("quarter")).strip()
    return quarter_start(ctx.require(record, "year"), quarter, document=ctx.document, field=record.label("year"))


NATIONAL_ACCOUNTS = ReleaseSpec(
    product="nas",
    endpoint="nas/getNASData",
    params={"base_year": "2011-12", "series": "Current", "frequency_code": "Quarterly"},
    measures=(Measure("constant_price", "_real", " (constant prices)"),
              Measure("current_price", "_nominal", " (current prices)")),
    series=_series,
    period=_period,
    skip=_annual,
    fiscal_years=True,
)
parse_national_accounts = NATIONAL_ACCOUNTS.parse
