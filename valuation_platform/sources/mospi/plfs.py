"""Periodic Labour Force Survey: unemployment rate, LFPR and WPR, quarterly and monthly bulletins.

No real sample is kept in the repository; the layout is modelled on the PLFS bulletin tables (Current
Weekly Status, persons aged 15 and above) as the eSankhyiki PLFS endpoint serves them, one record per
(period, indicator, sector, gender)::

    Frequency,Year,Period,State,Sector,Gender,Age Group,Weekly Status,Indicator,Value,Release Date
    Quarterly,2024,Apr-Jun,All India,Urban,Person,15 years and above,CWS,Unemployment Rate (UR),6.6,2024-08-16
    Monthly,2025,May,All India,Rural+Urban,Person,15 years and above,CWS,Unemployment Rate (UR),5.1,2025-06-16

The API (``/api/plfs/getData``, ``Format=JSON``) returns the same fields as record keys. Quarterly
bulletins cover calendar quarters (``Jan-Mar`` .. ``Oct-Dec``; the urban series since 2018), monthly
bulletins months (since 2025). ref_period is the first day of the month or quarter.

series_id: ``plfs_<monthly|quarterly>_<ur|lfpr|wpr>_<rural|urban|combined>_<person|male|female>``, with
``_<age group>`` appended when it is not 15+, ``_<status>`` when not CWS, and the state after
``plfs_`` when not All India. Values are percent.
"""

from __future__ import annotations

import re
from datetime import date

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.mospi.release import Context, Measure, Record, ReleaseSpec, Series
from valuation_platform.sources.mospi.series import ALL_INDIA, MOSPI, month_number, normalise_geography, slug

_INDICATORS = {
    "ur": "ur",
    "unemployment_rate": "ur",
    "lfpr": "lfpr",
    "wpr": "wpr",
    "labour_force_participation_rate": "lfpr",
    "labor_force_participation_rate": "lfpr",
    "worker_population_ratio": "wpr",
}
_ABBREVIATION = re.compile(r"\(([A-Za-z]+)\)\s*$")
_FREQUENCIES = {
    "monthly": ("monthly", "M"),
    "m": ("monthly", "M"),
    "quarterly": ("quarterly", "Q"),
    "q": ("quarterly", "Q"),
}
_GENDERS = {
    "person": "person",
    "persons": "person",
    "total": "person",
    "all": "person",
    "male": "male",
    "female": "female",
}
_DEFAULT_AGE = "15_years_and_above"


def indicator_code(label: str, *, document: str, field: str) -> str:
    abbreviation = _ABBREVIATION.search(label.strip())
    key = slug(abbreviation.group(1)) if abbreviation else slug(label)
    code = _INDICATORS.get(key)
    if code is None:
        raise SourceError(MOSPI, document, f"unknown PLFS indicator {label!r}", field=field)
    return code


def _quarter_start(year: int, label: str, *, document: str, field: str) -> date:
    """Calendar quarter from ``'Apr-Jun'``, ``'April-June'`` or ``'Q2'``."""
    text = label.strip()
    if re.fullmatch(r"[Qq][1-4]", text):
        return date(year, 3 * int(text[1]) - 2, 1)
    first = month_number(re.split(r"[-–\s]+", text)[0], source=MOSPI, document=document, field=field)
    if first not in (1, 4, 7, 10):
        raise SourceError(MOSPI, document, f"not a calendar quarter: {label!r}", field=field)
    return date(year, first, 1)


def _frequency(record: Record, ctx: Context) -> tuple[str, str]:
    """``('monthly', 'M')`` or ``('quarterly', 'Q')``: which bulletin the record is from."""
    raw = str(ctx.require(record, "frequency"))
    if slug(raw) not in _FREQUENCIES:
        raise ctx.error(f"unknown frequency {raw!r}", field=record.label("frequency"))
    return _FREQUENCIES[slug(raw)]


def _series(record: Record, ctx: Context) -> Series:
    freq_name, freq = _frequency(record, ctx)
    label = str(ctx.require(record, "indicator"))
    code = indicator_code(label, document=ctx.document, field=record.label("indicator"))
    sector = ctx.sector(record)
    gender = _GENDERS.get(slug(str(record.get("gender") or "person")))
    if gender is None:
        raise ctx.error(f"unknown gender {record.get('gender')!r}", field=record.label("gender"))
    geography = normalise_geography(record.get("state"))
    age = slug(str(record.get("age_group") or "15 years and above"))
    status = slug(str(record.get("weekly_status") or "CWS"))
    parts = ("plfs", "" if geography == ALL_INDIA else slug(geography), freq_name, code, slug(sector), gender,
             "" if age == _DEFAULT_AGE else age, "" if status == "cws" else status)
    name = f"{' '.join(label.split())}, {sector}, {gender}"
    return Series("_".join(p for p in parts if p), name, "percent", frequency=freq, geography=geography,
                  sector=sector)


def _period(record: Record, ctx: Context) -> date:
    """The first day of the bulletin's month, or of its calendar quarter."""
    year = ctx.year(record)
    label = str(ctx.require(record, "period"))
    if _frequency(record, ctx)[1] == "M":
        return date(year, ctx.month(record, "period"), 1)
    return _quarter_start(year, label, document=ctx.document, field=record.label("period"))


PLFS = ReleaseSpec(product="plfs", endpoint="plfs/getData", params={}, measures=(Measure("value"),),
                   series=_series, period=_period)
parse_plfs = PLFS.parse
