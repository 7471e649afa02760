"""The option-chain schedules: market-local session times, today's partition, one market each, holidays skipped."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg

from valuation_platform.defs.options import assets
from valuation_platform.defs.options.automation import nse_option_chains_intraday, us_option_chains_intraday
from valuation_platform.lib.resources import SourcesResource, WarehouseResource

# A partitioned job's schedule resolves its partitions through the repository.
REPOSITORY = dg.Definitions(
    assets=[assets.option_chain_snapshots, assets.option_contracts_enriched, assets.option_atm_iv_history,
            assets.option_chain_summary, assets.option_strategies],
    schedules=[nse_option_chains_intraday, us_option_chains_intraday],
    resources={"sources": SourcesResource(), "warehouse": WarehouseResource()},
).get_repository_def()


def _evaluate(schedule: dg.ScheduleDefinition, local: datetime):
    with dg.build_schedule_context(scheduled_execution_time=local, repository_def=REPOSITORY) as context:
        return schedule.evaluate_tick(context)


def test_schedules_run_in_their_market_time_zones() -> None:
    assert nse_option_chains_intraday.execution_timezone == "Asia/Kolkata"
    assert us_option_chains_intraday.execution_timezone == "America/New_York"
    assert "15,30 15 * * 1-5" in nse_option_chains_intraday.cron_schedule
    assert "0 16 * * 1-5" in us_option_chains_intraday.cron_schedule


def test_a_session_tick_requests_todays_partition_for_its_own_market() -> None:
    tick = _evaluate(nse_option_chains_intraday, datetime(2026, 11, 20, 9, 15, tzinfo=ZoneInfo("Asia/Kolkata")))
    (request,) = tick.run_requests
    assert request.partition_key == "2026-11-20"
    assert request.run_config["ops"]["option_chain_snapshots"]["config"]["markets"] == ["nse"]
    tick = _evaluate(us_option_chains_intraday, datetime(2026, 11, 19, 16, 0, tzinfo=ZoneInfo("America/New_York")))
    (request,) = tick.run_requests
    assert request.partition_key == "2026-11-19"
    assert request.run_config["ops"]["option_chain_snapshots"]["config"]["markets"] == ["us"]


def test_exchange_holidays_are_skipped() -> None:
    # Thanksgiving (NYSE closed) and Gandhi Jayanti 2025 (NSE/BSE closed), both weekdays.
    us = _evaluate(us_option_chains_intraday, datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("America/New_York")))
    nse = _evaluate(nse_option_chains_intraday, datetime(2025, 10, 2, 10, 15, tzinfo=ZoneInfo("Asia/Kolkata")))
    assert not us.run_requests and "not a US trading day" in us.skip_message
    assert not nse.run_requests and "not a NSE trading day" in nse.skip_message
