"""When market data refreshes: weekdays 23:00 UTC (the old technical-indicators cron), after the US close.

One run per session: the day's bars (one grouped-daily call for a large universe) then its indicators;
the dbt marts downstream follow through their eager automation conditions. NYSE holidays are skipped.
"""

import os

import dagster as dg

from valuation_platform.defs.market.assets import (
    polygon_daily_bars,
    polygon_dividends,
    polygon_splits,
    technical_indicators,
)
from valuation_platform.defs.market.checks import price_freshness_checks
from valuation_platform.pipelines.market.window import NEW_YORK
from valuation_platform.lib.partitions import US_TRADING_DAYS
from valuation_platform.lib.policies import schedule_status, sensor_status
from valuation_platform.sources.market_calendar import is_us_trading_day

market_daily_job = dg.define_asset_job(
    "market_daily_job",
    selection=dg.AssetSelection.assets(polygon_daily_bars, technical_indicators),
    partitions_def=US_TRADING_DAYS,
    description="Daily bars then technical indicators for one or more NYSE sessions.",
)


@dg.schedule(
    job=market_daily_job,
    cron_schedule="0 23 * * 1-5",
    execution_timezone="UTC",
    description="Replaces the old weekday 23:00 UTC technical-indicators cron; skips NYSE holidays.",
    # runs in production once Polygon is configured; stopped elsewhere (lib.policies)
    default_status=schedule_status(configured=bool(os.environ.get("VP_POLYGON_API_KEY"))),
)
def technical_indicators_weekdays(context: dg.ScheduleEvaluationContext):
    # 23:00 UTC is 18:00/19:00 in New York: the same calendar day, after the close.
    session = context.scheduled_execution_time.astimezone(NEW_YORK).date()
    if not is_us_trading_day(session):
        return dg.SkipReason(f"{session} is not a NYSE session")
    return dg.RunRequest(run_key=session.isoformat(), partition_key=session.isoformat())


corporate_actions_job = dg.define_asset_job(
    "corporate_actions_job",
    selection=dg.AssetSelection.assets(polygon_splits, polygon_dividends),
    description="Polygon's split and dividend lists, filtered to the universe.",
)


@dg.schedule(
    job=corporate_actions_job,
    cron_schedule="30 22 * * 1-5",
    execution_timezone="UTC",
    description="Weekdays before the bars run: a split executed today is in the factor table by then.",
    default_status=schedule_status(configured=bool(os.environ.get("VP_POLYGON_API_KEY"))),
)
def corporate_actions_weekdays(context: dg.ScheduleEvaluationContext):
    return dg.RunRequest(run_key=context.scheduled_execution_time.date().isoformat())


# Evaluates the price freshness checks between runs (they also run with each materialization).
market_freshness_sensor = dg.build_sensor_for_freshness_checks(
    freshness_checks=price_freshness_checks, name="market_freshness_checks_sensor", default_status=sensor_status()
)
