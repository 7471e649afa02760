"""When the NSE inputs refresh (Asia/Kolkata). Locally every schedule and sensor starts stopped (lib.policies).

* ``trading_symbol_master_daily`` 07:00 every day: EQUITY_L.csv and the index lists before the 09:15 open
  (NSE updates EQUITY_L overnight for the day's new listings), then dim_nse_symbol and the mismatch mart.
* ``trading_calendar_daily`` 18:30 weekdays: the session's board meetings, results and corporate actions
  (results are mostly broadcast after the close), then fct_corporate_events for the guardrails.
* ``trading_flows_daily`` 18:30 weekdays: NSE's FII/DII report, out by then, then fct_institutional_flows;
  NSDL's FPI daily-trends page in the same run (it lists the latest reporting dates, so a date NSDL posts
  late is picked up the next evening), then fct_fpi_depository_flows.
* ``trading_disclosures_daily`` 23:30 weekdays: insider-trading disclosures and bulk/block deals of the
  session. The deal lists are out by the early evening, but companies keep broadcasting PIT disclosures
  until late at night (the real export has broadcasts stamped 22:56), so the run waits for the day to end
  rather than miss them; one late run loads both.
"""

import dagster as dg

from valuation_platform.defs.dbt.assets import marts
from valuation_platform.defs.trading.assets import (
    nse_bulk_block_deals,
    nse_corporate_events,
    nse_insider_trades,
    nse_institutional_flows,
    nse_symbol_master,
    nsdl_fpi_investment,
)
from valuation_platform.defs.trading.checks import nse_institutional_flows_freshness
from valuation_platform.lib.partitions import INDIA_TRADING_DAYS
from valuation_platform.lib.policies import schedule_status, sensor_status

IST = "Asia/Kolkata"


trading_symbols_job = dg.define_asset_job(
    "trading_symbols_job",
    selection=dg.AssetSelection.assets(nse_symbol_master) | marts("dim_nse_symbol", "fct_nse_symbol_mismatches"),
    description="EQUITY_L.csv and the index lists, then dim_nse_symbol and fct_nse_symbol_mismatches.",
)
trading_calendar_job = dg.define_asset_job(
    "trading_calendar_job",
    selection=dg.AssetSelection.assets(nse_corporate_events) | marts("fct_corporate_events"),
    partitions_def=INDIA_TRADING_DAYS,
    description="One or more sessions' corporate calendar, then fct_corporate_events.",
)
trading_flows_job = dg.define_asset_job(
    "trading_flows_job",
    selection=dg.AssetSelection.assets(nse_institutional_flows, nsdl_fpi_investment)
    | marts("fct_institutional_flows", "fct_fpi_depository_flows"),
    description="NSE's FII/DII report and NSDL's FPI daily trends, then fct_institutional_flows and "
                "fct_fpi_depository_flows.",
)
trading_disclosures_job = dg.define_asset_job(
    "trading_disclosures_job",
    selection=dg.AssetSelection.assets(nse_insider_trades, nse_bulk_block_deals)
    | marts("fct_india_insider_trades", "fct_bulk_block_deals"),
    partitions_def=INDIA_TRADING_DAYS,
    description="One or more sessions' insider-trading disclosures and bulk/block deals, then their marts.",
)


@dg.schedule(job=trading_symbols_job, cron_schedule="0 7 * * *", execution_timezone=IST,
             description="NSE symbol master at 07:00 Asia/Kolkata, every day.", default_status=schedule_status())
def trading_symbol_master_daily(context: dg.ScheduleEvaluationContext):
    return dg.RunRequest(run_key=context.scheduled_execution_time.date().isoformat())


def _session_request(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    session = context.scheduled_execution_time.date().isoformat()
    return dg.RunRequest(run_key=session, partition_key=session)


@dg.schedule(job=trading_calendar_job, cron_schedule="30 18 * * 1-5", execution_timezone=IST,
             description="The session's corporate calendar at 18:30 Asia/Kolkata, weekdays.",
             default_status=schedule_status())
def trading_calendar_daily(context: dg.ScheduleEvaluationContext):
    return _session_request(context)


@dg.schedule(job=trading_flows_job, cron_schedule="30 18 * * 1-5", execution_timezone=IST,
             description="NSE's FII/DII report and NSDL's FPI daily trends at 18:30 Asia/Kolkata, weekdays.",
             default_status=schedule_status())
def trading_flows_daily(context: dg.ScheduleEvaluationContext):
    return dg.RunRequest(run_key=context.scheduled_execution_time.date().isoformat())


@dg.schedule(job=trading_disclosures_job, cron_schedule="30 23 * * 1-5", execution_timezone=IST,
             description="Insider-trading disclosures and bulk/block deals at 23:30 Asia/Kolkata, weekdays.",
             default_status=schedule_status())
def trading_disclosures_daily(context: dg.ScheduleEvaluationContext):
    return _session_request(context)


trading_flows_freshness_sensor = dg.build_sensor_for_freshness_checks(
    freshness_checks=list(nse_institutional_flows_freshness), name="trading_flows_freshness_sensor",
    minimum_interval_seconds=600, default_status=sensor_status(),
)
