"""EDGAR business days: weekdays that are not US federal holidays (observed dates).

EDGAR accepts and disseminates filings only on federal business days, so the daily form index exists
for exactly these days, and a filing's "filing date" is always one of them (an acceptance after 17:30
Eastern carries the next one). This differs from the NYSE calendar: Good Friday is an EDGAR day, while
Columbus Day and Veterans Day are not. Ad-hoc closures (national days of mourning, executive-order days
off) are not listed: such a day simply has no index, which the loaders tolerate.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The ``n``-th ``weekday`` (Mon=0) of the month; ``n=-1`` is the last one."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


@lru_cache(maxsize=256)
def federal_holidays(year: int) -> frozenset[date]:
    """US federal holidays of ``year`` on their observed dates (Saturday -> Friday, Sunday -> Monday).

    New Year's Day falling on a Saturday is observed on December 31 of the previous year, so that date
    belongs to ``federal_holidays(year)`` although it lies in ``year - 1``.
    """
    fixed = [(1, 1), (7, 4), (11, 11), (12, 25)] + ([(6, 19)] if year >= 2021 else [])
    days = set()
    for month, day in fixed:
        holiday = date(year, month, day)
        shift = {5: -1, 6: 1}.get(holiday.weekday(), 0)
        days.add(holiday + timedelta(days=shift))
    days |= {
        _nth_weekday(year, 1, 0, 3),  # Martin Luther King Jr. Day
        _nth_weekday(year, 2, 0, 3),  # Washington's Birthday
        _nth_weekday(year, 5, 0, -1),  # Memorial Day
        _nth_weekday(year, 9, 0, 1),  # Labor Day
        _nth_weekday(year, 10, 0, 2),  # Columbus Day
        _nth_weekday(year, 11, 3, 4),  # Thanksgiving
    }
    return frozenset(days)


def holidays_between(start: date, end: date) -> list[date]:
    """Observed federal holidays in ``[start, end]``, ascending."""
    found: set[date] = set()
    for year in range(start.year, end.year + 2):  # Jan 1 on a Saturday is observed on Dec 31
        found |= {d for d in federal_holidays(year) if start <= d <= end}
    return sorted(found)


def is_sec_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in federal_holidays(day.year) | federal_holidays(day.year + 1)


def sec_business_days(start: date, end: date) -> list[date]:
    """EDGAR business days in ``[start, end]`` (both inclusive), ascending."""
    closed = set(holidays_between(start, end))
    days, day = [], start
    while day <= end:
        if day.weekday() < 5 and day not in closed:
            days.append(day)
        day += timedelta(days=1)
    return days
