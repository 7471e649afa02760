"""When the IC Score refreshes: weekdays 19:00 America/New_York, after the US close and the evening market,
news and filings runs. The order is the graph's: the job is the scores group (its seed and dbt models), whose
inputs are the market, fundamentals, ownership and sentiment marts upstream of it, so a run reads whatever
those landed; nothing relies on a clock gap between schedules. NYSE holidays are skipped.
"""

from zoneinfo import ZoneInfo

import dagster as dg

from valuation_platform.lib.policies import schedule_status
from valuation_platform.sources.market_calendar import is_us_trading_day

NEW_YORK = ZoneInfo("America/New_York")

scores_daily_job = dg.define_asset_job(
    "scores_daily_job",
    selection=dg.AssetSelection.groups("scores"),
    description="The IC Score marts (inputs, scores, leaders, screener, changes, quality) from the latest marts.",
)


@dg.schedule(
    job=scores_daily_job,
    cron_schedule="0 19 * * 1-5",
    execution_timezone="America/New_York",
    description="Daily IC Score at 19:00 New York on NYSE sessions.",
    default_status=schedule_status(),
)
def ic_score_daily(context: dg.ScheduleEvaluationContext):
    session = context.scheduled_execution_time.astimezone(NEW_YORK).date()
    if not is_us_trading_day(session):
        return dg.SkipReason(f"{session} is not a NYSE session")
    return dg.RunRequest(run_key=session.isoformat())
