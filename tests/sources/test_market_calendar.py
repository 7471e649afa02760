"""US trading days: weekdays minus NYSE holidays and ad-hoc closures."""

from __future__ import annotations

from datetime import date

import pytest

from valuation_platform.sources.market_calendar import is_us_trading_day, us_trading_days


def test_first_days_of_2023_match_polygons_real_bars():
    # The recorded Polygon AAPL response for 2023-01-01..2023-01-10 has exactly these six bars.
    assert us_trading_days(date(2023, 1, 1), date(2023, 1, 10)) == [
        date(2023, 1, 3),
        date(2023, 1, 4),
        date(2023, 1, 5),
        date(2023, 1, 6),
        date(2023, 1, 9),
        date(2023, 1, 10),
    ]


@pytest.mark.parametrize(("year", "sessions"), [(2022, 251), (2023, 250), (2024, 252)])
def test_sessions_per_year(year, sessions):
    assert len(us_trading_days(date(year, 1, 1), date(year, 12, 31))) == sessions


@pytest.mark.parametrize(
    ("day", "open_"),
    [
        (date(2023, 7, 4), False),  # Independence Day
        (date(2022, 6, 20), False),  # Juneteenth (observed), first year on the NYSE calendar
        (date(2023, 4, 7), False),  # Good Friday: not a federal holiday, but the NYSE closes
        (date(2025, 1, 9), False),  # national day of mourning (President Carter): ad-hoc closure
        (date(2023, 11, 24), True),  # day after Thanksgiving: an early close is still a session
        (date(2023, 10, 9), True),  # Columbus Day: banks close, the NYSE does not
        (date(2023, 1, 7), False),  # Saturday
    ],
)
def test_is_us_trading_day(day, open_):
    assert is_us_trading_day(day) is open_


def test_empty_and_out_of_range():
    assert us_trading_days(date(2023, 1, 10), date(2023, 1, 1)) == []
    assert us_trading_days(date(2023, 1, 7), date(2023, 1, 8)) == []
    with pytest.raises(ValueError, match="outside the US trading calendar"):
        us_trading_days(date(1980, 1, 1), date(1980, 2, 1))
    with pytest.raises(ValueError, match="outside"):
        is_us_trading_day(date(2040, 1, 3))


def test_session_navigation_around_weekends_and_holidays():
    from valuation_platform.sources.market_calendar import (
        feed_start,
        next_trading_day_on_or_after,
        previous_trading_day,
        trading_days_before,
        weekday_closures,
    )

    assert previous_trading_day(date(2025, 12, 26)) == date(2025, 12, 24)  # Christmas in between
    assert previous_trading_day(date(2025, 10, 20)) == date(2025, 10, 17)  # Monday -> Friday
    assert next_trading_day_on_or_after(date(2025, 10, 18)) == date(2025, 10, 20)
    assert next_trading_day_on_or_after(date(2025, 10, 16)) == date(2025, 10, 16)
    # a Monday partition also owns the weekend before it; a Thursday one only itself
    assert feed_start(date(2025, 10, 20)) == date(2025, 10, 18)
    assert feed_start(date(2025, 10, 16)) == date(2025, 10, 16)
    assert trading_days_before(date(2023, 1, 10), 5) == date(2023, 1, 3)
    assert trading_days_before(date(2023, 1, 10), 6) == date(2022, 12, 30)  # over New Year
    january = [date(2025, 1, 1), date(2025, 1, 9), date(2025, 1, 20)]  # New Year, a day of mourning, MLK
    assert weekday_closures(date(2025, 1, 1), date(2025, 1, 31)) == january


def test_the_dbt_closures_seed_is_this_calendar() -> None:
    """dbt's session calendar (seeds/market/us_market_closures.csv -> int_market__us_sessions) is written
    from this module; a new ad-hoc closure added here must be added there too (re-run weekday_closures)."""
    from valuation_platform.lib.dbt import DBT_PROJECT_DIR
    from valuation_platform.sources.market_calendar import CALENDAR_END, CALENDAR_START, weekday_closures

    lines = (DBT_PROJECT_DIR / "seeds" / "market" / "us_market_closures.csv").read_text().split()
    assert lines[0] == "closed_date"
    assert [date.fromisoformat(d) for d in lines[1:]] == weekday_closures(CALENDAR_START, CALENDAR_END)
    assert date(2025, 1, 9) in weekday_closures(date(2025, 1, 1), date(2025, 1, 31))  # Carter's day of mourning
