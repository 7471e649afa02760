"""US equity trading days: weekdays minus NYSE holidays and ad-hoc closures (exchange_calendars XNYS).

Daily price, technical and news partitions follow this calendar, and the market generator writes one
grouped-daily file per day it returns, so every part of the platform agrees on what a trading day is.
Early-close days (e.g. the day after Thanksgiving) are trading days.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import exchange_calendars as xcals
import pandas as pd

# Fixed bounds keep the answer independent of the day the code runs. XNYS holidays are rules, so
# future years are known; ad-hoc closures (e.g. 2025-01-09, a national day of mourning) are listed.
CALENDAR_START = date(1990, 1, 2)
CALENDAR_END = date(2035, 12, 31)


@lru_cache(maxsize=1)
def _xnys() -> xcals.ExchangeCalendar:
    """The full XNYS calendar (session and minute tables for 1990-2035): built on first use, about a second."""
    return xcals.get_calendar("XNYS", start=CALENDAR_START.isoformat(), end=CALENDAR_END.isoformat())


@lru_cache(maxsize=1)
def _xnys_session_rule() -> pd.offsets.CustomBusinessDay:
    """XNYS's session rule (weekmask, regular holidays, ad-hoc closures) as a pandas offset: the rule the full
    calendar builds its sessions from (``ExchangeCalendar.day``), taken from a calendar over a few days, which
    skips the full calendar's minute tables. The code location needs only the closures (the partition
    exclusions), so loading it stays cheap."""
    return xcals.get_calendar("XNYS", start="2024-01-02", end="2024-01-05").day


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


def previous_trading_day(d: date) -> date:
    """The last NYSE session strictly before ``d``."""
    before = d - timedelta(days=1)
    _check_bounds(before)
    return _xnys().date_to_session(pd.Timestamp(before), direction="previous").date()


def next_trading_day_on_or_after(d: date) -> date:
    """``d`` when it is a session, else the next session (weekend and holiday news belong to it)."""
    _check_bounds(d)
    return _xnys().date_to_session(pd.Timestamp(d), direction="next").date()


def trading_days_before(d: date, sessions: int) -> date:
    """The session ``sessions`` sessions before ``d`` (``d`` itself need not be a session)."""
    if sessions < 1:
        raise ValueError(f"sessions must be positive, got {sessions}")
    _check_bounds(d)
    # ~1.46 calendar days per session; the margin covers holiday clusters.
    days = us_trading_days(d - timedelta(days=sessions * 3 // 2 + 15), d - timedelta(days=1))
    if len(days) < sessions:
        raise ValueError(f"fewer than {sessions} sessions before {d} in the calendar")
    return days[-sessions]


def feed_start(first_session: date) -> date:
    """The first calendar day a run starting at ``first_session`` fetches.

    A daily partition ``d`` owns everything dated after the previous session up to ``d`` itself (so
    Monday's partition also owns the weekend's news and ratings). A run over sessions
    ``first..last`` therefore asks the sources for ``[feed_start(first), last]``; for price bars
    that range holds exactly the sessions ``first..last``.
    """
    return previous_trading_day(first_session) + timedelta(days=1)


def weekday_closures(start: date, end: date) -> list[date]:
    """Weekdays in ``[start, end]`` without a session (holidays, ad-hoc closures), ascending."""
    if end < start:
        return []
    _check_bounds(start, end)
    weekdays = pd.bdate_range(start, end)  # Monday..Friday
    sessions = pd.date_range(start, end, freq=_xnys_session_rule())
    return [ts.date() for ts in weekdays.difference(sessions)]
