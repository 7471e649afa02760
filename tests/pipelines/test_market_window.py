"""Which session owns a dated item, what a run fetches, and the trading-day partitions."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from valuation_platform.pipelines.market.prices import GROUPED, RANGED, choose_mode
from valuation_platform.pipelines.market.window import RunWindow, recent_sessions
from valuation_platform.lib.partitions import US_TRADING_DAYS


def test_a_monday_run_owns_the_weekend_and_nothing_after_its_last_session():
    window = RunWindow.from_keys(["2025-10-21", "2025-10-20"])  # Mon, Tue (keys arrive in any order)
    assert (window.first, window.last) == (date(2025, 10, 20), date(2025, 10, 21))
    assert window.fetch_start == date(2025, 10, 18)
    assert window.owner(date(2025, 10, 18)) == date(2025, 10, 20)  # Saturday news belongs to Monday
    assert window.owner(date(2025, 10, 21)) == date(2025, 10, 21)
    assert window.owner(date(2025, 10, 17)) is None and window.owner(date(2025, 10, 22)) is None
    # 02:30 UTC on Tuesday is still Monday evening in New York
    assert window.owner_of_moment(datetime(2025, 10, 21, 2, 30, tzinfo=UTC)) == date(2025, 10, 20)


def test_windows_refuse_non_sessions():
    with pytest.raises(ValueError, match="not NYSE sessions"):
        RunWindow.from_keys(["2025-12-25"])


def test_refresh_runs_reread_the_previous_session():
    tuesday, saturday = datetime(2025, 10, 21, 15, 0, tzinfo=UTC), datetime(2025, 10, 18, 12, 0, tzinfo=UTC)
    assert recent_sessions(tuesday) == (date(2025, 10, 20), date(2025, 10, 21))
    # Saturday: the latest session is Friday
    assert recent_sessions(saturday) == (date(2025, 10, 16), date(2025, 10, 17))


def test_endpoint_choice_minimises_calls():
    assert choose_mode(30, 252) == RANGED  # a backfill of a small universe: 30 ranged calls
    assert choose_mode(5000, 1) == GROUPED  # the evening run over the market: one grouped call
    assert choose_mode(1, 1) == RANGED


def test_partitions_are_nyse_sessions():
    keys = US_TRADING_DAYS.get_partition_keys(current_time=datetime(2026, 1, 6, 12, tzinfo=UTC))
    december = [k for k in keys if k.startswith("2025-12-2")]
    assert december == ["2025-12-22", "2025-12-23", "2025-12-24", "2025-12-26", "2025-12-29"]
    assert keys[-1] == "2026-01-06"  # end_offset=1: today's session exists from midnight New York
