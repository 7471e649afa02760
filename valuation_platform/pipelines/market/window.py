"""What a run over a range of US trading-day partitions covers, and which session owns a dated item."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from valuation_platform.sources.market_calendar import (
    feed_start,
    is_us_trading_day,
    next_trading_day_on_or_after,
    previous_trading_day,
    trading_days_before,
    us_trading_days,
)

NEW_YORK = ZoneInfo("America/New_York")
# Sessions of history a ticker needs before a run's first session: >= 252 (12-month returns) plus margin
# for SMA200 and for the EMA26/RSI seeds to decay below 1e-8 relative, so an indicator value does not
# depend on where the stored history starts. The 12-month analyst consensus and the 30-day news windows
# fit inside it too, so every market and sentiment feed backfills the same span for a new ticker.
HISTORY_SESSIONS = 300


@dataclass(frozen=True)
class RunWindow:
    """The sessions of one run (its partition keys), oldest first.

    Partition ``d`` owns the calendar days after the previous session up to ``d``; the run therefore
    asks every source for ``[fetch_start, last]`` (see ``market_calendar.feed_start``).
    """

    sessions: tuple[date, ...]
    _set: frozenset[date] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.sessions:
            raise ValueError("a run needs at least one session")
        if list(self.sessions) != sorted(set(self.sessions)):
            raise ValueError("sessions must be unique and ascending")
        bad = [d for d in self.sessions if not is_us_trading_day(d)]
        if bad:
            raise ValueError(f"not NYSE sessions: {bad[:5]}")
        object.__setattr__(self, "_set", frozenset(self.sessions))

    @classmethod
    def from_keys(cls, keys: Sequence[str]) -> RunWindow:
        return cls(tuple(sorted(date.fromisoformat(k) for k in keys)))

    @property
    def first(self) -> date:
        return self.sessions[0]

    @property
    def last(self) -> date:
        return self.sessions[-1]

    @property
    def fetch_start(self) -> date:
        return feed_start(self.first)

    @property
    def history_start(self) -> date:
        """First calendar day a ticker with nothing stored is fetched from (whole partitions, see
        ``feed_start``): the :data:`HISTORY_SESSIONS` sessions before the run, then the run itself."""
        return feed_start(trading_days_before(self.first, HISTORY_SESSIONS))

    def widened(self, start: date) -> RunWindow:
        """The sessions from ``start`` to this run's last: what a history fetch from ``start`` lands."""
        return RunWindow(tuple(us_trading_days(min(start, self.first), self.last)))

    def __contains__(self, day: object) -> bool:
        return day in self._set

    def owner(self, day: date) -> date | None:
        """The session of this run that owns calendar day ``day``, or None when another run owns it."""
        if not self.fetch_start <= day <= self.last:
            return None
        session = next_trading_day_on_or_after(day)
        return session if session in self._set else None

    def owner_of_moment(self, moment: datetime) -> date | None:
        """:meth:`owner` of a timestamp's New York date (news is dated by when it was published there)."""
        return self.owner(moment.astimezone(NEW_YORK).date())

    def label(self) -> str:
        return f"{self.first}..{self.last} ({len(self.sessions)} sessions)"


def recent_sessions(moment: datetime) -> tuple[date, date]:
    """The previous and the latest session as of ``moment`` in New York: what a refresh run re-reads.

    Re-reading the previous session too catches items published after the last run of that day.
    """
    today = moment.astimezone(NEW_YORK).date()
    latest = today if is_us_trading_day(today) else previous_trading_day(today)
    return previous_trading_day(latest), latest
