"""When the news scan runs: hourly from 08:00 to 22:00 Asia/Kolkata (``0 8-22 * * *``), every day (regulators
and ministries publish on Saturdays too), the events marts and the analysis in the same run. Locally the
schedule starts stopped (lib.policies)."""

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from valuation_platform.defs.dbt.assets import dbt_models
from valuation_platform.defs.intelligence.assets import event_analysis, news_items
from valuation_platform.lib.policies import schedule_status

MODELS = ("stg_newsfeeds__items", "int_intelligence__events", "int_intelligence__event_companies",
          "fct_news_events", "stg_intelligence__event_analyses", "stg_intelligence__policy_updates",
          "fct_event_analyses", "fct_policy_updates")

intelligence_news_job = dg.define_asset_job(
    "intelligence_news_job",
    selection=dg.AssetSelection.assets(news_items, event_analysis)
    | dg.AssetSelection.assets(*(get_asset_key_for_model([dbt_models], m) for m in MODELS)),
    description="The feeds, fct_news_events, the event analysis, fct_event_analyses and fct_policy_updates.",
)


@dg.schedule(job=intelligence_news_job, cron_schedule="0 8-22 * * *", execution_timezone="Asia/Kolkata",
             description="The news scan and event analysis hourly 08:00-22:00 Asia/Kolkata.",
             default_status=schedule_status())
def intelligence_news_hourly(context: dg.ScheduleEvaluationContext):
    return dg.RunRequest(run_key=context.scheduled_execution_time.isoformat())
