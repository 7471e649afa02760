"""The option-chain schedules and freshness: market-local session times, today's partition, one source
each, holidays skipped; each snapshot asset's freshness deadlines in its own market's time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg

from valuation_platform.defs.options import assets, checks
from valuation_platform.defs.options.automation import (
    nse_option_chain_job,
    nse_option_chains_intraday,
    option_chain_freshness_sensor,
    us_option_chains_intraday,
)
from valuation_platform.defs.options.resources import OptionsResource
from valuation_platform.lib.resources import SourcesResource, WarehouseResource

ALL = [assets.nse_option_chain_snapshots, assets.us_option_chain_snapshots, assets.option_contracts_enriched,
       assets.option_atm_iv_history, assets.option_chain_summary, assets.option_strategies]
# A partitioned job's schedule resolves its partitions through the repository.
DEFS = dg.Definitions(
    assets=ALL,
    asset_checks=[*checks.nse_option_chain_freshness, *checks.us_option_chain_freshness],
    schedules=[nse_option_chains_intraday, us_option_chains_intraday],
    sensors=[option_chain_freshness_sensor],
    resources={"sources": SourcesResource(), "warehouse": WarehouseResource(), "options": OptionsResource()},
)
REPOSITORY = DEFS.get_repository_def()


def _evaluate(schedule: dg.ScheduleDefinition, local: datetime):
    with dg.build_schedule_context(scheduled_execution_time=local, repository_def=REPOSITORY) as context:
        return schedule.evaluate_tick(context)


def test_schedules_run_in_their_market_time_zones_and_start_stopped() -> None:
    assert nse_option_chains_intraday.execution_timezone == "Asia/Kolkata"
    assert us_option_chains_intraday.execution_timezone == "America/New_York"
    assert "15,30 15 * * 1-5" in nse_option_chains_intraday.cron_schedule
    assert "0 16 * * 1-5" in us_option_chains_intraday.cron_schedule
    for schedule in (nse_option_chains_intraday, us_option_chains_intraday):
        assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED


def test_each_schedule_snapshots_its_own_source_into_todays_partition() -> None:
    tick = _evaluate(nse_option_chains_intraday, datetime(2026, 11, 20, 9, 15, tzinfo=ZoneInfo("Asia/Kolkata")))
    (request,) = tick.run_requests
    assert request.partition_key == "2026-11-20" and request.tags["vp/market"] == "nse"
    tick = _evaluate(us_option_chains_intraday, datetime(2026, 11, 19, 16, 0, tzinfo=ZoneInfo("America/New_York")))
    (request,) = tick.run_requests
    assert request.partition_key == "2026-11-19"
    job = REPOSITORY.get_job(nse_option_chain_job.name)
    selected = {k.to_user_string() for k in job.asset_layer.executable_asset_keys}
    assert "nse_option_chain_snapshots" in selected and "us_option_chain_snapshots" not in selected
    assert "option_contracts_enriched" in selected


def test_exchange_holidays_are_skipped() -> None:
    # Thanksgiving (NYSE closed) and Gandhi Jayanti 2025 (NSE/BSE closed), both weekdays.
    us = _evaluate(us_option_chains_intraday, datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("America/New_York")))
    nse = _evaluate(nse_option_chains_intraday, datetime(2025, 10, 2, 10, 15, tzinfo=ZoneInfo("Asia/Kolkata")))
    assert not us.run_requests and "not a US trading day" in us.skip_message
    assert not nse.run_requests and "not a NSE trading day" in nse.skip_message


def _freshness(check: dg.AssetChecksDefinition, instance: dg.DagsterInstance) -> dg.AssetCheckResult:
    (result,) = check(dg.build_asset_check_context(instance=instance))
    return result


def test_freshness_follows_each_markets_session(monkeypatch) -> None:
    """A snapshot at 10:15 Mumbai time is fresh at 10:30 and 11:00 (deadline - 45 min = 10:15) but overdue at
    11:30; the US check, on New York time, does not care about a Mumbai snapshot at all."""
    ist = ZoneInfo("Asia/Kolkata")
    with dg.instance_for_test() as instance:
        stamp = datetime(2026, 11, 20, 10, 15, tzinfo=ist).timestamp()
        with monkeypatch.context() as m:
            m.setattr("time.time", lambda: stamp)
            instance.report_runless_asset_event(dg.AssetMaterialization("nse_option_chain_snapshots"))
        (nse_check,) = checks.nse_option_chain_freshness
        (us_check,) = checks.us_option_chain_freshness
        for hour, minute, fresh in ((10, 30, True), (11, 0, True), (11, 31, False)):
            now = datetime(2026, 11, 20, hour, minute, tzinfo=ist).timestamp()
            with monkeypatch.context() as m:
                m.setattr("dagster._time.get_current_timestamp", lambda now=now: now)
                m.setattr("time.time", lambda now=now: now)
                assert _freshness(nse_check, instance).passed is fresh, (hour, minute)
        assert not _freshness(us_check, instance).passed
