"""Which session owns a dated item, what a run fetches, and the trading-day partitions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from valuation_platform.pipelines.market.prices import GROUPED, RANGED, choose_mode
from valuation_platform.pipelines.market.window import HISTORY_SESSIONS, RunWindow, recent_sessions
from valuation_platform.sources.market_calendar import feed_start, us_trading_days
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


# -- history: what each ticker still needs -----------------------------------------------------------
def test_the_history_start_leaves_every_indicator_its_warm_up():
    window = RunWindow(tuple(us_trading_days(date(2026, 11, 13), date(2026, 11, 20))))
    history = us_trading_days(window.history_start, window.first - timedelta(days=1))
    assert len(history) == HISTORY_SESSIONS >= 252 + 20  # 12-month return plus margin for EMA/RSI seeds
    assert window.history_start == feed_start(history[0])  # whole partitions: from the day after a session
    assert window.widened(window.history_start).sessions == (*history, *window.sessions)


def test_each_ticker_fetches_only_what_the_warehouse_lacks(fresh_db):
    from valuation_platform.pipelines.market.prices import fetch_starts
    from valuation_platform.warehouse.bootstrap import ensure_tables
    from valuation_platform.warehouse.connection import connect
    from valuation_platform.warehouse.tables.market import POLYGON_DAILY_BARS

    window = RunWindow.from_keys(["2026-11-16", "2026-11-17"])
    sessions = us_trading_days(window.history_start, date(2026, 11, 13))  # the span before the run
    stored = {
        "FULL": sessions,  # everything up to the run
        "LAGS": sessions[:-4],  # history, but the last four sessions were skipped
        "HALT": sessions[3:-2],  # starts 3 sessions late (within the slack), two sessions behind
        "SHORT": sessions[-30:],  # a recent listing or a partial load: not enough history
    }
    with connect(fresh_db) as conn:
        ensure_tables(conn, [POLYGON_DAILY_BARS])
        with conn.transaction():
            for ticker, days in stored.items():
                conn.cursor().executemany(
                    "insert into raw.polygon_daily_bars (ticker, trade_date, open, high, low, close, volume,"
                    " _source, _fetched_at) values (%s, %s, 1, 1, 1, 1, 1, 'test', now())",
                    [(ticker, d) for d in days],
                )
        starts = fetch_starts(conn, ["FULL", "LAGS", "HALT", "SHORT", "NEW"], window)
    assert starts == {
        "FULL": window.fetch_start,  # only the run's own sessions
        "LAGS": sessions[-5] + timedelta(days=1),  # the day after its last stored bar
        "HALT": sessions[-3] + timedelta(days=1),
        "SHORT": window.history_start,
        "NEW": window.history_start,
    }
