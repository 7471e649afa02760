"""When SEC data refreshes: weekly universe (Sunday 02:00 UTC, the old cron), then every company in one run, then
the statements marts from what that run loaded. Nothing else rebuilds them: the filings change weekly, so an
evening that re-ran them (5.6 M facts classified again: ~100 s at the seeds' scale) would change nothing."""

import dagster as dg

from valuation_platform.defs.sec.assets import sec_company_tickers, sec_companyfacts, us_universe
from valuation_platform.lib.partitions import SEC_COMPANIES
from valuation_platform.lib.policies import schedule_status, sensor_status

sec_universe_job = dg.define_asset_job(
    "sec_universe_job", selection=dg.AssetSelection.assets(sec_company_tickers, us_universe)
)
sec_companyfacts_job = dg.define_asset_job(
    "sec_companyfacts_job", selection=dg.AssetSelection.assets(sec_companyfacts), partitions_def=SEC_COMPANIES
)

# the dbt models downstream of companyfacts in the sec group: staging, the period logic, statements, ratios
SEC_MARTS = (dg.AssetSelection.assets(sec_companyfacts).downstream() & dg.AssetSelection.groups("sec")
             - dg.AssetSelection.assets(sec_companyfacts))
sec_marts_job = dg.define_asset_job(
    "sec_marts_job", selection=SEC_MARTS,
    description="The SEC statements and ratios models (and their checks) over the companyfacts that landed.",
)

sec_financials_weekly = dg.ScheduleDefinition(
    name="sec_financials_weekly",
    job=sec_universe_job,
    cron_schedule="0 2 * * 0",
    execution_timezone="UTC",
    description="Replaces the old Sunday 02:00 UTC SEC financials cron.",
    default_status=schedule_status(),
)


@dg.asset_sensor(
    asset_key=us_universe.key,
    job=sec_companyfacts_job,
    description="After each universe refresh, fetch companyfacts for every company as one run (single-run backfill).",
    default_status=sensor_status(),
)
def sec_universe_refreshed(context: dg.SensorEvaluationContext, asset_event: dg.EventLogEntry):
    keys = context.instance.get_dynamic_partitions(SEC_COMPANIES.name)
    if not keys:
        return dg.SkipReason("universe registered no companies")
    return dg.RunRequest(
        run_key=f"universe-{asset_event.storage_id}",
        tags={"dagster/asset_partition_range_start": keys[0], "dagster/asset_partition_range_end": keys[-1]},
    )


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[sec_companyfacts_job],
    request_job=sec_marts_job,
    description="After each companyfacts run succeeds (the whole run: a partial one would build on half the "
    "companies), rebuild the SEC statements marts once.",
    default_status=sensor_status(),
)
def sec_companyfacts_loaded(context: dg.RunStatusSensorContext) -> dg.RunRequest:
    return dg.RunRequest(run_key=f"companyfacts-{context.dagster_run.run_id}")
