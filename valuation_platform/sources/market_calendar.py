"""US equity trading days: weekdays minus NYSE holidays and ad-hoc closures (exchange_calendars XNYS).

Daily price, technical and news partitions follow this calendar, and the market generator writes one
grouped-daily file per day it returns, so every part of the platform agrees on what a trading day is.
Early-close days (e.g. the day after Thanksgiving) are trading days.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import exchange_calendars as xcals
import pandas as pd

# Fixed bounds keep the answer independent of the day the code runs. XNYS holidays are rules, so
# future years are known; ad-hoc closures (e.g. 2025-01-09, a national day of mourning) are listed.
CALENDAR_START = date(1990, 1, 2)
CALENDAR_END = date(2035, 12, 31)


@lru_cache(maxsize=1)
def _xnys() -> xcals.ExchangeCalendar:
    return xcals.get_calendar("XNYS", start=CALENDAR_START.isoformat(), end=CALENDAR_END.isoformat())


def _check_bounds(*days: date) -> None:
    for d in days:
        if not CALENDAR_START <= d <= CALENDAR_END:
            raise ValueError(f"{d} is outside the US trading calendar ({CALENDAR_START} to {CALENDAR_END})")


def us_trading_days(start: date, end: date) -> list[date]:
    """NYSE sessions in ``[start, end]`` (both inclusive), ascending; empty when ``end < start``."""
    if end < start:
        return []
    _check_bounds(start, end)
    sessions = _xnys().sessions_in_range(pd.Timestamp(start), pd.Timestamp(end))
    return [ts.date() for ts in sessions]


def is_us_trading_day(d: date) -> bool:
    """Whether the NYSE holds a session on ``d``."""
    _check_bounds(d)
    return bool(_xnys().is_session(pd.Timestamp(d)))
