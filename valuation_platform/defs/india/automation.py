"""When India data refreshes. Locally every schedule and sensor starts stopped (lib.policies); a production
deployment runs them.

* ``india_macro_daily`` at 06:00 Asia/Kolkata: the MOSPI releases of the last 24 reference months (revisions
  reach back that far), then the macro marts and the driver hierarchy: the series-linked MACRO and
  MACRO_SIGNAL drivers move, the snapshot and the changelog record it.
* ``india_market_daily`` at 18:30 Asia/Kolkata on weekdays (after the G-sec and FX closes): the market
  indicator exports of this month and the last, then the marts and drivers. The exports have no public
  host, so without VP_INDIA_MARKET_BASE_URL the schedule stays stopped even in production and the files
  arrive through the landing folder.
* Every India refresh ends with the materiality assessment (``marts.fct_materiality_alerts``, valuation
  group): macro divergences, PMI crossings, FII outflow spikes, driver momentum, valuation gaps and cross
  signals on what the refresh just moved (a dependency in the graph, not a later clock time).
* ``india_refresh_job`` refreshes the whole domain in one run, from the UI or a backfill.
* ``india_landing_files`` watches the landing folder: a new or changed classification file re-selects the
  universe (and rebuilds the drivers of its companies); a new or changed MOSPI/market file loads it and
  rebuilds the macro marts and drivers; both at once launch one run doing both. A touched but unchanged
  file launches nothing, and a change launches one run whatever the number of ticks (run key = content).
* ``india_freshness`` evaluates the MOSPI freshness check between runs (the cadence is in ``checks.py``).
"""

import json
import os

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from valuation_platform.defs.dbt.assets import dbt_models
from valuation_platform.defs.india.assets import (
    india_classification,
    india_macro_files,
    india_market_indicators,
    mospi_releases,
)
from valuation_platform.defs.india.checks import mospi_freshness
from valuation_platform.lib.india_resource import IndiaResource
from valuation_platform.lib.partitions import INDIA_MACRO_MONTHS
from valuation_platform.lib.policies import schedule_status, sensor_status
from valuation_platform.lib.resources import SourcesResource
from valuation_platform.lib.runner import RANGE_END_TAG, RANGE_START_TAG
from valuation_platform.pipelines.india.landing import landing_runs
from valuation_platform.pipelines.india.macro import MARKET_SETTING

MOSPI_REFETCH_MONTHS = 24
MARKET_REFETCH_MONTHS = 2
MATERIALITY = dg.AssetSelection.assets(get_asset_key_for_model([dbt_models], "fct_materiality_alerts"))
INDIA_AND_MATERIALITY = dg.AssetSelection.groups("india") | MATERIALITY


def _refresh_job(name: str, asset: dg.AssetsDefinition, description: str):  # an unresolved asset job
    """A job loading ``asset`` and rebuilding everything downstream of it in the India group (dbt marts,
    drivers, snapshot, changelog), then the materiality assessment."""
    selection = dg.AssetSelection.assets(asset).downstream() & INDIA_AND_MATERIALITY
    return dg.define_asset_job(name, selection=selection, description=description)


india_macro_sync_job = _refresh_job(
    "india_macro_sync_job", mospi_releases,
    "Fetch MOSPI releases for a month range, rebuild the macro marts and the drivers.",
)
india_market_sync_job = _refresh_job(
    "india_market_sync_job", india_market_indicators,
    "Fetch the market exports for a month range, rebuild the macro marts and the drivers.",
)
india_macro_files_job = _refresh_job(
    "india_macro_files_job", india_macro_files,
    "Load the landing folder's MOSPI/market files, rebuild the macro marts and the drivers.",
)
india_universe_job = _refresh_job(
    "india_universe_job", india_classification,
    "Read the classification file, select the universe, rebuild dim_india_company and the drivers.",
)
india_landing_job = dg.define_asset_job(
    "india_landing_job",
    selection=(dg.AssetSelection.assets(india_classification, india_macro_files).downstream() & INDIA_AND_MATERIALITY),
    description="Both kinds of landing files changed at once: universe and macro files in one run, so the "
    "drivers are rebuilt once.",
)
india_refresh_job = dg.define_asset_job(
    "india_refresh_job",
    selection=INDIA_AND_MATERIALITY,
    description=(
        "Everything India in one run (pick a month range for the macro partitions): landing files, "
        "universe, MOSPI and market releases, marts, drivers, snapshot and changelog."
    ),
)


def _last_months(context: dg.ScheduleEvaluationContext, name: str, months: int) -> dg.RunRequest:
    """A run over the last ``months`` reference months as of the tick (one run: single-run backfill)."""
    keys = INDIA_MACRO_MONTHS.get_partition_keys(current_time=context.scheduled_execution_time)[-months:]
    return dg.RunRequest(run_key=f"{name}-{context.scheduled_execution_time:%Y-%m-%d}",
                         tags={RANGE_START_TAG: keys[0], RANGE_END_TAG: keys[-1]})


@dg.schedule(
    job=india_macro_sync_job,
    cron_schedule="0 6 * * *",
    execution_timezone="Asia/Kolkata",
    description="MOSPI sync at 06:00 IST: the last 24 reference months in one run, then marts and drivers.",
    default_status=schedule_status(),
)
def india_macro_daily(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    return _last_months(context, "india-macro", MOSPI_REFETCH_MONTHS)


@dg.schedule(
    job=india_market_sync_job,
    cron_schedule="30 18 * * 1-5",
    execution_timezone="Asia/Kolkata",
    description="Market exports at 18:30 IST on weekdays (this month and the last), then marts and drivers. "
    "Stopped while VP_INDIA_MARKET_BASE_URL is unset: the exports have no public host.",
    default_status=schedule_status(configured=bool(os.environ.get(MARKET_SETTING))),
)
def india_market_daily(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    return _last_months(context, "india-market", MARKET_REFETCH_MONTHS)


LANDING_JOBS = {"universe": india_universe_job, "macro": india_macro_files_job}


@dg.sensor(
    jobs=[*LANDING_JOBS.values(), india_landing_job],
    minimum_interval_seconds=60,
    description="Watches the India landing folder (VP_INDIA_LANDING) for new or changed files.",
    default_status=sensor_status(),
)
def india_landing_files(context: dg.SensorEvaluationContext, india: IndiaResource, sources: SourcesResource):
    folder = india.landing_path(sources.source_root)
    runs, cursor = landing_runs(folder, json.loads(context.cursor) if context.cursor else {})
    context.update_cursor(json.dumps(cursor, sort_keys=True))
    if not runs:
        return dg.SkipReason(f"no new or changed files in {folder}")
    # one change, one run: both kinds changed in one tick make a single run (two would rebuild the drivers twice)
    job = LANDING_JOBS[next(iter(runs))] if len(runs) == 1 else india_landing_job
    files = [f for changed, _ in runs.values() for f in changed]
    key = "+".join(key for _, key in runs.values())
    return dg.RunRequest(job_name=job.name, run_key=f"{job.name}:{key}",
                         tags={"vp/landing_files": ",".join(files)[:1000]})


india_freshness = dg.build_sensor_for_freshness_checks(
    freshness_checks=mospi_freshness, name="india_freshness", default_status=sensor_status()
)
