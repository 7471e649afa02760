"""The calendars' partition keys, pinned against exchange_calendars itself and hand-counted years, and the
code location's load kept free of the heavy imports it used to pay on every run."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime
from zoneinfo import ZoneInfo

import exchange_calendars as xcals
import pytest

from valuation_platform.lib.partitions import (
    INDIA_TRADING_DAYS,
    OPTIONS_DAILY,
    SEC_FILING_DAYS,
    US_TRADING_DAYS,
)


def _keys(partitions, last: date, tz: str) -> list[str]:
    """Every key up to ``last`` (inclusive), seen from noon that day (end_offset=1 adds the next window)."""
    now = datetime(last.year, last.month, last.day, 12, tzinfo=ZoneInfo(tz))
    return [k for k in partitions.get_partition_keys(current_time=now) if k <= last.isoformat()]


def test_us_trading_days_are_exchange_calendars_xnys_sessions() -> None:
    # the oracle: exchange_calendars' own full XNYS calendar, built here, not the project's session rule
    xnys = xcals.get_calendar("XNYS", start="2010-01-04", end="2035-12-31")
    sessions = [ts.strftime("%Y-%m-%d") for ts in xnys.sessions_in_range("2010-01-04", "2035-12-31")]
    keys = _keys(US_TRADING_DAYS, date(2035, 12, 31), "America/New_York")
    assert keys == sessions
    assert len(keys) == 6534


@pytest.mark.parametrize(("year", "sessions"), [(2022, 251), (2023, 250), (2024, 252), (2025, 250)])
def test_us_sessions_per_year(year: int, sessions: int) -> None:
    # NYSE published session counts; 2025: 261 weekdays - 10 holidays - 2025-01-09 (day of mourning) = 250
    keys = _keys(US_TRADING_DAYS, date(year, 12, 31), "America/New_York")
    assert sum(k.startswith(f"{year}-") for k in keys) == sessions


def test_us_trading_days_skip_holidays_and_keep_early_closes() -> None:
    keys = set(_keys(US_TRADING_DAYS, date(2025, 12, 31), "America/New_York"))
    assert {"2025-01-09", "2025-04-18", "2025-12-25"}.isdisjoint(keys)  # mourning, Good Friday, Christmas
    assert {"2025-11-28", "2025-12-24", "2025-10-13"} <= keys  # early closes and Columbus Day are sessions


def test_sec_filing_days_2024() -> None:
    # 2024: 262 weekdays - 11 federal holidays, all on weekdays (Jan 1, Jan 15, Feb 19, May 27, Jun 19, Jul 4,
    # Sep 2, Oct 14, Nov 11, Nov 28, Dec 25) = 251 EDGAR business days; Good Friday (Mar 29) is one of them
    keys = [k for k in _keys(SEC_FILING_DAYS, date(2024, 12, 31), "America/New_York") if k.startswith("2024-")]
    assert len(keys) == 251
    assert "2024-03-29" in keys and "2024-10-14" not in keys and "2024-11-11" not in keys
    assert keys[0] == "2024-01-02" and keys[-1] == "2024-12-31"


def test_weekday_calendars_2024() -> None:
    # options and India sessions: every weekday, holidays listed (262 weekdays in 2024)
    for partitions, tz in ((OPTIONS_DAILY, "UTC"), (INDIA_TRADING_DAYS, "Asia/Kolkata")):
        keys = [k for k in _keys(partitions, date(2024, 12, 31), tz) if k.startswith("2024-")]
        assert len(keys) == 262 and keys[0] == "2024-01-01" and keys[-1] == "2024-12-31"


def test_loading_the_code_location_skips_the_heavy_imports() -> None:
    """scipy.stats, matplotlib and the full XNYS calendar cost seconds and no definition needs them: each run
    loads the code location, so they are imported (or built) where a step uses them."""
    probe = (
        "import sys; import valuation_platform.definitions as d; d.build_defs().get_repository_def(); "
        "from valuation_platform.sources import market_calendar as m; "
        "print(sorted(n for n in ('scipy.stats', 'scipy.special', 'matplotlib', 'pgserver') if n in sys.modules), "
        "m._xnys.cache_info().currsize)"
    )
    done = subprocess.run([sys.executable, "-W", "ignore", "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["[]", "0"]
