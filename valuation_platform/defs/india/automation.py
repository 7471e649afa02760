"""When India data refreshes.

* Daily at 06:00 Asia/Kolkata: fetch the MOSPI releases and market feeds of the last 24 reference
  months (revisions reach back that far), then rebuild the macro marts and the driver hierarchy: the
  series-linked MACRO and MACRO_SIGNAL drivers move, the snapshot and the changelog record it.
* ``india_refresh_job`` refreshes the whole domain in one run, from the UI or a backfill.
* A sensor on the landing folder: a new or changed classification file re-selects the universe (and
  rebuilds the drivers of its companies); a new or changed MOSPI/market file loads it and rebuilds the
  macro marts and drivers. The cursor is each file's (mtime, size, sha256), so a touched but unchanged
  file launches nothing.
"""

import hashlib
import json

import dagster as dg

from valuation_platform.defs.india.macro import india_macro_files, india_market_indicators, mospi_releases
from valuation_platform.defs.india.universe import india_classification
from valuation_platform.lib.india_defaults import GROUP
from valuation_platform.pipelines.india.landing import (
    CLASSIFICATION,
    MARKET,
    MOSPI_AREA,
    changed_files,
    fingerprints,
    scan,
)
from valuation_platform.lib.india_resource import IndiaResource
from valuation_platform.lib.partitions import INDIA_MACRO_MONTHS
from valuation_platform.lib.resources import SourcesResource
from valuation_platform.lib.runner import RANGE_END_TAG, RANGE_START_TAG

REFETCH_MONTHS = 24
IN_DOMAIN = dg.AssetSelection.groups(GROUP)


def _with_downstream(*assets: dg.AssetsDefinition) -> dg.AssetSelection:
    """The assets and everything downstream of them in the India group (dbt marts, drivers, snapshot)."""
    return dg.AssetSelection.assets(*assets).downstream() & IN_DOMAIN


india_macro_sync_job = dg.define_asset_job(
    "india_macro_sync_job",
    selection=_with_downstream(mospi_releases, india_market_indicators),
    description="Fetch MOSPI and market releases for a month range, rebuild the macro marts and the drivers.",
)
india_macro_files_job = dg.define_asset_job(
    "india_macro_files_job",
    selection=_with_downstream(india_macro_files),
    description="Load the landing folder's MOSPI/market files, rebuild the macro marts and the drivers.",
)
india_universe_job = dg.define_asset_job(
    "india_universe_job",
    selection=_with_downstream(india_classification),
    description="Read the classification file, select the universe, rebuild dim_india_company and the drivers.",
)

india_refresh_job = dg.define_asset_job(
    "india_refresh_job",
    selection=IN_DOMAIN,
    description=(
        "Everything India in one run (pick a month range for the macro partitions): landing files, "
        "universe, MOSPI and market releases, marts, drivers, snapshot and changelog."
    ),
)


@dg.schedule(
    job=india_macro_sync_job,
    cron_schedule="0 6 * * *",
    execution_timezone="Asia/Kolkata",
    description="MOSPI/market macro sync at 06:00 IST: the last 24 reference months as one run, then the drivers.",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
def india_macro_daily(context: dg.ScheduleEvaluationContext):
    keys = INDIA_MACRO_MONTHS.get_partition_keys(current_time=context.scheduled_execution_time)[-REFETCH_MONTHS:]
    return dg.RunRequest(
        run_key=f"india-macro-{context.scheduled_execution_time:%Y-%m-%d}",
        tags={RANGE_START_TAG: keys[0], RANGE_END_TAG: keys[-1]},
    )


@dg.sensor(
    jobs=[india_universe_job, india_macro_files_job],
    minimum_interval_seconds=60,
    description="Watches the India landing folder (VP_INDIA_LANDING) for new or changed files.",
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def india_landing_files(context: dg.SensorEvaluationContext, india: IndiaResource, sources: SourcesResource):
    folder = india.landing_path(sources.source_root)
    previous = json.loads(context.cursor) if context.cursor else {}
    current = fingerprints(scan(folder), previous)
    changed = changed_files(previous, current)
    requests = []
    for job, areas in ((india_universe_job, (CLASSIFICATION,)), (india_macro_files_job, (MOSPI_AREA, MARKET))):
        files = [path for path in changed if path.split("/", 1)[0] in areas]
        if files:
            requests.append(
                dg.RunRequest(
                    job_name=job.name,
                    run_key=f"{job.name}:" + hashlib.sha256(
                        ",".join(f"{p}@{current[p][2]}" for p in files).encode()
                    ).hexdigest()[:32],
                    tags={"vp/landing_files": ",".join(files)[:1000]},
                )
            )
    context.update_cursor(json.dumps(current, sort_keys=True))
    if not requests:
        return dg.SkipReason(f"no new or changed files in {folder}")
    return requests
