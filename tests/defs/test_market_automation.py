"""The market and sentiment schedules: which sessions each tick asks for, and holidays skipped."""

from __future__ import annotations

from datetime import UTC, datetime

import dagster as dg

from valuation_platform.defs.market.automation import technical_indicators_weekdays
from valuation_platform.defs.sentiment.automation import analyst_ratings_daily, news_sentiment_every_4_hours
from valuation_platform.lib.runner import RANGE_END_TAG, RANGE_START_TAG


def _tick(schedule: dg.ScheduleDefinition, moment: datetime):
    return schedule(dg.build_schedule_context(scheduled_execution_time=moment))  # what the tick would request


def test_indicators_run_each_session_evening_and_skip_holidays():
    schedule = technical_indicators_weekdays
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 23 * * 1-5", "UTC")
    friday = _tick(technical_indicators_weekdays, datetime(2026, 11, 20, 23, 0, tzinfo=UTC))
    assert isinstance(friday, dg.RunRequest) and friday.partition_key == "2026-11-20"
    thanksgiving = _tick(technical_indicators_weekdays, datetime(2026, 11, 26, 23, 0, tzinfo=UTC))
    assert isinstance(thanksgiving, dg.SkipReason) and "not a NYSE session" in thanksgiving.skip_message


def test_feeds_reread_the_previous_session_with_explicit_time_zones():
    assert news_sentiment_every_4_hours.execution_timezone == "UTC"
    assert analyst_ratings_daily.execution_timezone == "America/New_York"
    monday_night = datetime(2026, 11, 24, 4, 0, tzinfo=UTC)  # 23:00 Monday in New York
    request = _tick(news_sentiment_every_4_hours, monday_night)
    assert (request.tags[RANGE_START_TAG], request.tags[RANGE_END_TAG]) == ("2026-11-20", "2026-11-23")
    request = _tick(analyst_ratings_daily, datetime(2026, 11, 22, 12, 0, tzinfo=UTC))  # a Sunday
    assert (request.tags[RANGE_START_TAG], request.tags[RANGE_END_TAG]) == ("2026-11-19", "2026-11-20")
