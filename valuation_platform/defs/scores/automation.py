"""When the IC Score refreshes: weekdays 19:00 America/New_York, after the US close and the evening market,
news and filings runs. The job is the scores group (its seed and dbt models) and the dbt models upstream of it
(the market, ownership and sentiment marts), for the session's partition: it rebuilds those marts from whatever
raw rows the loads landed, then scores; nothing relies on a clock gap between schedules. NYSE holidays are
skipped.
"""

from zoneinfo import ZoneInfo

import dagster as dg

from valuation_platform.defs.dbt.assets import marts
from valuation_platform.defs.sec.automation import SEC_MARTS
from valuation_platform.lib.policies import schedule_status
from valuation_platform.sources.market_calendar import is_us_trading_day

NEW_YORK = ZoneInfo("America/New_York")

# The scores and every dbt model they read (prices, indicators, ratios, consensus, news, ownership, the scores'
# intermediates): the loads' own jobs land raw rows only, so this evening run is what brings those marts up to
# the session before scoring it. The SEC statements are the weekly chain's (defs/sec/automation.py).
SCORES_AND_INPUTS = (dg.AssetSelection.groups("scores")
                     | (dg.AssetSelection.groups("scores").upstream() & dg.AssetSelection.kind("dbt")) - SEC_MARTS)
# The session's other US marts that read those (in the same run, after them): the as-of marts and ownership
US_EVENING_MARTS = marts("fct_analyst_consensus", "fct_news_sentiment_summary", "fct_insider_activity",
                         "fct_institutional_ownership")
scores_daily_job = dg.define_asset_job(
    "scores_daily_job",
    selection=SCORES_AND_INPUTS | US_EVENING_MARTS,
    description="The marts the IC Score reads, then the IC Score marts (inputs, scores, leaders, screener, changes, "
    "quality), and the session's as-of marts (consensus, news summary, insider activity) and ownership, for one "
    "NYSE session.",
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
    return dg.RunRequest(run_key=session.isoformat(), partition_key=session.isoformat())
