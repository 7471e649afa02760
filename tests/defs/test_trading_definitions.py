"""The trading NSE assets as the code location defines them: group, owner, kinds, table and column schema
before any run, partitions; schedules in Asia/Kolkata at the stated times, stopped locally, asking for the
session of the tick."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from valuation_platform.defs.trading import assets, automation
from valuation_platform.lib.partitions import INDIA_TRADING_DAYS
from valuation_platform.lib.policies import NETWORK_RETRY

IST = ZoneInfo("Asia/Kolkata")
RAW = {"nse_equity_list": "raw.nse_equity_list", "nse_index_constituents": "raw.nse_index_constituents",
       "nse_corporate_events": "raw.nse_corporate_events", "nse_institutional_flows": "raw.nse_institutional_flows",
       "nse_insider_trades": "raw.nse_insider_trades", "nse_bulk_block_deals": "raw.nse_bulk_block_deals",
       "nsdl_fpi_investment": "raw.nsdl_fpi_investment"}
DAILY = {"nse_corporate_events", "nse_insider_trades", "nse_bulk_block_deals"}


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    from valuation_platform.definitions import build_defs

    return build_defs()


def test_every_asset_declares_group_owner_kinds_and_its_table(defs) -> None:
    graph = defs.resolve_asset_graph()
    for name, table in RAW.items():
        node = graph.get(dg.AssetKey(name))
        assert node.group_name == "trading"
        assert node.owners == ["team:trading-research"]
        assert {"python", "postgres"} <= set(node.kinds)
        assert node.description
        assert node.metadata["dagster/table_name"] == table
        columns = {c.name for c in node.metadata["dagster/column_schema"].columns}
        assert {"_source", "_fetched_at", "_partition_key"} <= columns
        assert node.partitions_def == (INDIA_TRADING_DAYS if name in DAILY else None)
    # the marts are the trading group's too, downstream of the raw loads
    events = graph.get(dg.AssetKey(["marts", "fct_corporate_events"]))
    assert events.group_name == "trading"
    assert dg.AssetKey(["staging", "stg_nse__corporate_events"]) in events.parent_keys


def test_the_nsdl_page_runs_with_the_flows_and_feeds_the_depository_mart(defs) -> None:
    graph = defs.resolve_asset_graph()
    mart = graph.get(dg.AssetKey(["marts", "fct_fpi_depository_flows"]))
    assert mart.group_name == "trading"
    assert dg.AssetKey(["staging", "stg_nsdl__fpi_investment"]) in mart.parent_keys
    staging = graph.get(dg.AssetKey(["staging", "stg_nsdl__fpi_investment"]))
    assert dg.AssetKey("nsdl_fpi_investment") in staging.parent_keys
    job = defs.resolve_job_def("trading_flows_job")
    assert {dg.AssetKey("nsdl_fpi_investment"), dg.AssetKey(["marts", "fct_fpi_depository_flows"])} <= set(
        job.asset_layer.executable_asset_keys)
    checks = {key.name for key in graph.asset_check_keys if key.asset_key == dg.AssetKey("nsdl_fpi_investment")}
    assert checks and all("quarantine" in name for name in checks)
    assert assets.nsdl_fpi_investment.op.retry_policy == NETWORK_RETRY


def test_the_india_macro_series_reads_the_flows_mart(defs) -> None:
    graph = defs.resolve_asset_graph()
    flows = graph.get(dg.AssetKey(["intermediate", "int_india__flow_releases"]))
    assert dg.AssetKey(["marts", "fct_institutional_flows"]) in flows.parent_keys


@pytest.mark.parametrize(("schedule", "cron"), [
    (automation.trading_symbol_master_daily, "0 7 * * *"),
    (automation.trading_calendar_daily, "30 18 * * 1-5"),
    (automation.trading_flows_daily, "30 18 * * 1-5"),
    (automation.trading_disclosures_daily, "30 23 * * 1-5"),
])
def test_schedules_run_in_india_time_and_start_stopped(schedule, cron) -> None:
    assert (schedule.cron_schedule, schedule.execution_timezone) == (cron, "Asia/Kolkata")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    assert automation.trading_flows_freshness_sensor.default_status == dg.DefaultSensorStatus.STOPPED


def test_a_session_schedule_asks_for_that_session(defs) -> None:
    tick = datetime(2026, 11, 20, 23, 30, tzinfo=IST)  # Friday 23:30 IST = 18:00 UTC
    with dg.build_schedule_context(scheduled_execution_time=tick,
                                   repository_def=defs.get_repository_def()) as context:
        result = automation.trading_disclosures_daily.evaluate_tick(context)
    (request,) = result.run_requests
    assert request.partition_key == "2026-11-20"
