"""When option chains refresh: every 30 minutes of each market's session, in the market's own time zone.

Each schedule snapshots its own market into today's partition and recomputes the analytics of that
partition in the same run (the marts follow through their eager automation condition). Exchange holidays
are skipped (NSE: the BSE calendar XBOM, which NSE shares; US: the NYSE calendar); a run on a holiday
would store nothing anyway, since the chain it fetched carries the previous session's timestamp and
therefore belongs to that session's partition. Schedules and the freshness sensor start stopped locally;
a production deployment turns them on.
"""

from collections.abc import Callable
from datetime import date
from functools import lru_cache

import dagster as dg
import exchange_calendars as xcals
import pandas as pd

from valuation_platform.defs.options.assets import (
    nse_option_chain_snapshots,
    option_atm_iv_history,
    option_chain_summary,
    option_contracts_enriched,
    option_strategies,
    us_option_chain_snapshots,
)
from valuation_platform.defs.options.checks import nse_option_chain_freshness, us_option_chain_freshness
from valuation_platform.lib.partitions import OPTIONS_DAILY
from valuation_platform.pipelines.options.markets import partition_of_day
from valuation_platform.sources.market_calendar import is_us_trading_day

ANALYTICS = (option_contracts_enriched, option_atm_iv_history, option_chain_summary, option_strategies)


def _chain_job(market: str, snapshots: dg.AssetsDefinition):
    return dg.define_asset_job(
        f"{market}_option_chain_job",
        # and the option marts built from them (the chain mart incremental on the partition): no other job does
        selection=(dg.AssetSelection.assets(snapshots, *ANALYTICS)
                   | dg.AssetSelection.assets(*ANALYTICS).downstream() & dg.AssetSelection.groups("options")
                   & dg.AssetSelection.kind("dbt")),
        partitions_def=OPTIONS_DAILY,
        description=f"Snapshot the {market.upper()} option chains into a trading-day partition, recompute "
                    "IV, Greeks, summaries and strategies of that partition, and the option marts.",
    )


nse_option_chain_job = _chain_job("nse", nse_option_chain_snapshots)
us_option_chain_job = _chain_job("us", us_option_chain_snapshots)


@lru_cache(maxsize=1)
def _xbom() -> xcals.ExchangeCalendar:
    return xcals.get_calendar("XBOM")


def is_nse_trading_day(day: date) -> bool:
    return bool(_xbom().is_session(pd.Timestamp(day)))


def _request(
    context: dg.ScheduleEvaluationContext, market: str, is_trading_day: Callable[[date], bool]
) -> dg.RunRequest | dg.SkipReason:
    local = context.scheduled_execution_time  # already in the schedule's execution time zone
    if not is_trading_day(local.date()):
        return dg.SkipReason(f"{local.date()} is not a {market.upper()} trading day")
    return dg.RunRequest(
        run_key=f"{market}-{local.isoformat()}", partition_key=partition_of_day(local.date()),
        tags={"vp/market": market},
    )


@dg.schedule(
    job=nse_option_chain_job,
    # 09:15, 09:45, ..., 14:45, then 15:15 and the 15:30 close.
    cron_schedule=["15,45 9-14 * * 1-5", "15,30 15 * * 1-5"],
    execution_timezone="Asia/Kolkata",
    description="NSE option chains every 30 minutes of the 09:15-15:30 IST session, trading days only.",
)
def nse_option_chains_intraday(context: dg.ScheduleEvaluationContext):
    return _request(context, "nse", is_nse_trading_day)


@dg.schedule(
    job=us_option_chain_job,
    # 09:30, 10:00, ..., 15:30, and the 16:00 close.
    cron_schedule=["30 9 * * 1-5", "0,30 10-15 * * 1-5", "0 16 * * 1-5"],
    execution_timezone="America/New_York",
    description="US option chains every 30 minutes of the 09:30-16:00 ET session, NYSE trading days only.",
)
def us_option_chains_intraday(context: dg.ScheduleEvaluationContext):
    return _request(context, "us", is_us_trading_day)


option_chain_freshness_sensor = dg.build_sensor_for_freshness_checks(
    freshness_checks=[*nse_option_chain_freshness, *us_option_chain_freshness],
    name="option_chain_freshness_sensor",
    minimum_interval_seconds=300,
)
