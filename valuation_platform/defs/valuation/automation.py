"""When valuations run.

``india_daily_valuation``: weekdays 20:00 Asia/Kolkata (the old xyOps daily valuation), one run of the
session: the day's bhavcopy, the valuations of the companies due, and the valuation marts. The same job
values one company on demand: launch a partition with run config
``ops: {india_valuations: {config: {symbols: [RELIANCE]}}}`` (the UI's launchpad or ``dagster job launch``).
``india_statement_files`` loads statement exports when a file under <landing>/statements/ is new or changed.
``india_weekly_review_schedule``: Sundays 10:00 Asia/Kolkata, trend detection then the weekly review
(the old weekly pipeline); the opportunity ranking it reads is rebuilt by every daily valuation run.
The India network steps (MOSPI, market exports) retry 3 times, 5 minutes apart (lib.policies), and the
run-failure sensor (defs/ops) alerts on any failed run.
"""

import json

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from valuation_platform.defs.dbt.assets import dbt_models
from valuation_platform.defs.valuation.assets import (
    india_statements,
    india_valuations,
    india_weekly_review,
    nse_bhavcopy,
)
from valuation_platform.lib.india_resource import IndiaResource
from valuation_platform.lib.partitions import INDIA_TRADING_DAYS
from valuation_platform.lib.policies import schedule_status, sensor_status
from valuation_platform.lib.resources import SourcesResource
from valuation_platform.pipelines.india.landing import changed_files, fingerprints, scan
from valuation_platform.pipelines.valuation.inputs import STATEMENTS

MARTS = [get_asset_key_for_model([dbt_models], name)
         for name in ("fct_valuations", "fct_valuation_attribution", "fct_valuation_driver_effects",
                      "fct_valuation_alerts", "fct_opportunity_scores")]

india_valuation_job = dg.define_asset_job(
    "india_valuation_job",
    selection=dg.AssetSelection.assets(nse_bhavcopy, india_valuations) | dg.AssetSelection.assets(*MARTS),
    partitions_def=INDIA_TRADING_DAYS,
    description="One or more India sessions: bhavcopy, valuations and attribution, the valuation marts.",
)
india_statements_job = dg.define_asset_job(
    "india_statements_job", selection=dg.AssetSelection.assets(india_statements),
    description="Statement exports from the landing folder's statements/ area.",
)


@dg.schedule(job=india_valuation_job, cron_schedule="0 20 * * 1-5", execution_timezone="Asia/Kolkata",
             description="Daily valuation at 20:00 Asia/Kolkata (the old xyOps daily valuation), weekdays.",
             default_status=schedule_status())
def india_daily_valuation(context: dg.ScheduleEvaluationContext):
    session = context.scheduled_execution_time.date().isoformat()
    return dg.RunRequest(run_key=session, partition_key=session)


TRENDS = [get_asset_key_for_model([dbt_models], name) for name in (
    "int_india__driver_trend_legs", "fct_driver_trajectories", "fct_driver_trend_signals", "fct_driver_changelog")]
india_weekly_review_job = dg.define_asset_job(
    "india_weekly_review_job",
    selection=dg.AssetSelection.assets(*TRENDS) | dg.AssetSelection.assets(india_weekly_review),
    description="Trend detection (30/60/90-day trajectories, structural shifts and reversals into the driver "
                "changelog), then the weekly review of trends, the opportunity ranking and the week's alerts.",
)


@dg.schedule(job=india_weekly_review_job, cron_schedule="0 10 * * 0", execution_timezone="Asia/Kolkata",
             description="Weekly review on Sundays at 10:00 Asia/Kolkata (the old xyOps weekly pipeline).",
             default_status=schedule_status())
def india_weekly_review_schedule(context: dg.ScheduleEvaluationContext):
    return dg.RunRequest(run_key=context.scheduled_execution_time.date().isoformat())


@dg.sensor(job=india_statements_job, minimum_interval_seconds=120, default_status=sensor_status(),
           description="Watches <landing>/statements/ for new or changed screener.in exports.")
def india_statement_files(context: dg.SensorEvaluationContext, india: IndiaResource, sources: SourcesResource):
    folder = india.landing_path(sources.source_root)
    previous = json.loads(context.cursor) if context.cursor else {}
    current = fingerprints(scan(folder, (STATEMENTS,)), previous)
    changed = changed_files(previous, current)
    context.update_cursor(json.dumps(current, sort_keys=True))
    if not changed:
        return dg.SkipReason(f"no new or changed statement files in {folder / STATEMENTS}")
    key = ",".join(f"{p}@{current[p][2][:12]}" for p in changed)
    return dg.RunRequest(run_key=key[:500], tags={"vp/landing_files": ",".join(changed)[:1000]})
