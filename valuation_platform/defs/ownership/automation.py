"""When ownership data refreshes.

* ``insider_trades_hourly``: 10:00-16:00 America/New_York on weekdays, today's filing-date partition
  (replaces the old hourly market-hours insider cron); EDGAR holidays are skipped.
* ``form4_current_filings``: polls EDGAR's current-filings feed at most hourly, only during US market
  hours, and launches one run per filing date for the Form 4 accessions it has not seen before.
* ``institutional_holdings_quarterly``: 06:00 UTC on the 16th of Feb/May/Aug/Nov, the day after the
  last 45-day 13F deadline, for the quarter just due and the one before it (its data set is out by
  then, and late amendments are picked up) as one run.
* ``ownership_freshness``: evaluates the Form 4 and 13F freshness checks (cadences in ``checks.py``).
"""

from datetime import UTC, date, datetime, timedelta

import dagster as dg

from valuation_platform.defs.ownership.assets import sec_13f, sec_form4
from valuation_platform.defs.ownership.checks import form4_freshness, thirteenf_freshness
from valuation_platform.pipelines.ownership.current_filings import (
    EASTERN,
    FeedCursor,
    in_market_hours,
    plan_runs,
)
from valuation_platform.pipelines.ownership.form13f_load import quarter_start
from valuation_platform.lib.policies import schedule_status, sensor_status
from valuation_platform.lib.partitions import SEC_FILING_DAYS, THIRTEENF_QUARTERS
from valuation_platform.lib.resources import SourcesResource
from valuation_platform.lib.runner import RANGE_END_TAG, RANGE_START_TAG
from valuation_platform.sources.sec.calendar import is_sec_business_day
from valuation_platform.sources.sec.filing_index import feed_filings, fetch_current_feed_pages

insider_trades_job = dg.define_asset_job(
    "insider_trades_job", selection=dg.AssetSelection.assets(sec_form4), partitions_def=SEC_FILING_DAYS
)
institutional_holdings_job = dg.define_asset_job(
    "institutional_holdings_job",
    selection=dg.AssetSelection.assets(sec_13f),
    partitions_def=THIRTEENF_QUARTERS,
)


@dg.schedule(
    job=insider_trades_job,
    cron_schedule="0 10-16 * * 1-5",
    execution_timezone="America/New_York",
    description="Hourly during US market hours (America/New_York): today's Form 4 filings.",
    default_status=schedule_status(),
)
def insider_trades_hourly(context: dg.ScheduleEvaluationContext):
    scheduled = context.scheduled_execution_time.astimezone(EASTERN)
    if not is_sec_business_day(scheduled.date()):
        return dg.SkipReason(f"{scheduled.date()} is not an EDGAR business day")
    return dg.RunRequest(
        partition_key=scheduled.date().isoformat(), run_key=f"hourly-{scheduled:%Y-%m-%dT%H}"
    )


def _quarter_before(start: date) -> date:
    return quarter_start(start - timedelta(days=1))


@dg.schedule(
    job=institutional_holdings_job,
    cron_schedule="0 6 16 2,5,8,11 *",
    execution_timezone="UTC",
    description="Quarterly (UTC), after each 13F deadline: the quarter just due and the one before, one run.",
    default_status=schedule_status(),
)
def institutional_holdings_quarterly(context: dg.ScheduleEvaluationContext):
    due = _quarter_before(quarter_start(context.scheduled_execution_time.date()))
    previous = _quarter_before(due)
    return dg.RunRequest(
        run_key=f"13f-{previous.isoformat()}-{due.isoformat()}",
        tags={RANGE_START_TAG: previous.isoformat(), RANGE_END_TAG: due.isoformat()},
    )


def now_utc() -> datetime:
    """The sensor's clock (a function, so a test can evaluate the sensor at a chosen time)."""
    return datetime.now(UTC)


@dg.sensor(
    job=insider_trades_job,
    minimum_interval_seconds=3600,
    description=(
        "Polls EDGAR's current-filings feed (Form 4) hourly during US market hours (America/New_York) and "
        "launches one run per filing date for accessions not seen before; the cursor remembers the "
        "latest acceptance time and the accessions of the hour before it."
    ),
    default_status=sensor_status(),
)
def form4_current_filings(context: dg.SensorEvaluationContext, sources: SourcesResource):
    now = now_utc()
    if not in_market_hours(now):
        return dg.SkipReason(f"outside US market hours ({now.astimezone(EASTERN):%a %H:%M} America/New_York)")
    filings = feed_filings(fetch_current_feed_pages(sources.client, "4"))
    runs, cursor = plan_runs(filings, FeedCursor.from_json(context.cursor), now.astimezone(EASTERN).date())
    context.update_cursor(cursor.to_json())
    if not runs:
        return dg.SkipReason(f"no new Form 4 filings among {len(filings)} in the feed")
    return [
        dg.RunRequest(
            partition_key=run.partition_key,
            run_key=run.run_key,
            tags={"vp/new_filings": str(len(run.accessions))},
        )
        for run in runs
    ]


ownership_freshness = dg.build_sensor_for_freshness_checks(
    freshness_checks=[*form4_freshness, *thirteenf_freshness], name="ownership_freshness"
)
