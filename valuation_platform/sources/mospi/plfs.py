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


def parse_plfs(
    payload: bytes, *, document: str, released_at: datetime | date | None = None
) -> list[dict[str, Any]]:
    """Long macro rows (see :mod:`.series`) from a PLFS CSV or API payload; ``sector`` is set."""
    if is_json(payload):
        records, meta = read_api_envelope(payload, source=MOSPI, document=document)
        released_at = envelope_release(meta, released_at, source=MOSPI, document=document)
    else:
        records = read_csv_records(
            decode_text(payload, source=MOSPI, document=document), source=MOSPI, document=document
        )
    out: list[dict[str, Any]] = []
    for n, record in enumerate(records):
        where = f"record {n}"
        freq_raw = str(require(record, "frequency", source=MOSPI, document=document))
        if slug(freq_raw) not in _FREQUENCIES:
            raise SourceError(MOSPI, document, f"unknown frequency {freq_raw!r}", field=f"{where} frequency")
        freq_name, freq = _FREQUENCIES[slug(freq_raw)]
        year = year_number(record.get("year"), source=MOSPI, document=document, field=f"{where} year")
        period_label = str(require(record, "period", source=MOSPI, document=document))
        if freq == "M":
            period = date(
                year, month_number(period_label, source=MOSPI, document=document, field=f"{where} period"), 1
            )
        else:
            period = _quarter_start(year, period_label, document=document, field=f"{where} period")
        label = str(require(record, "indicator", source=MOSPI, document=document))
        code = indicator_code(label, document=document, field=f"{where} indicator")
        sector = normalise_sector(
            record.get("sector", ""), source=MOSPI, document=document, field=f"{where} sector"
        )
        gender = _GENDERS.get(slug(str(record.get("gender") or "person")))
        if gender is None:
            raise SourceError(
                MOSPI, document, f"unknown gender {record.get('gender')!r}", field=f"{where} gender"
            )
        geography = normalise_geography(record.get("state"))
        age = slug(str(record.get("age_group") or "15 years and above"))
        status = slug(str(record.get("weekly_status") or "CWS"))
        series_id = "_".join(
            p
            for p in (
                "plfs",
                "" if geography == ALL_INDIA else slug(geography),
                freq_name,
                code,
                slug(sector),
                gender,
                "" if age == _DEFAULT_AGE else age,
                "" if status == "cws" else status,
            )
            if p
        )
        name = " ".join(label.split())
        out.append(
            macro_row(
                source=MOSPI,
                series_id=series_id,
                series_name=f"{name}, {sector}, {gender}",
                geography=geography,
                sector=sector,
                frequency=freq,
                ref_period=period,
                value=parse_value(
                    record.get("value"), source=MOSPI, document=document, field=f"{where} value"
                ),
                unit="percent",
                released_at=resolve_released_at(record, released_at, source=MOSPI, document=document),
            )
        )
    return out
