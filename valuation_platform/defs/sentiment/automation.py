"""When sentiment data refreshes: news every 4 hours, analyst ratings daily (explicit time zones).

Each run re-reads the previous and the latest session (a partition range, one run), so items published
after the last run of a day are still picked up; loads are idempotent, so the overlap costs nothing.
"""

import os

import dagster as dg

from valuation_platform.defs.sentiment.assets import benzinga_ratings, news_sentiment, polygon_news
from valuation_platform.defs.sentiment.checks import news_freshness_checks, ratings_freshness_checks
from valuation_platform.pipelines.market.window import recent_sessions
from valuation_platform.lib.partitions import US_TRADING_DAYS
from valuation_platform.lib.policies import schedule_status, sensor_status
from valuation_platform.lib.runner import RANGE_END_TAG, RANGE_START_TAG

news_sentiment_job = dg.define_asset_job(
    "news_sentiment_job",
    selection=dg.AssetSelection.assets(polygon_news, news_sentiment),
    partitions_def=US_TRADING_DAYS,
    description="Polygon news, then sentiment scores, for a range of NYSE sessions.",
)
analyst_ratings_job = dg.define_asset_job(
    "analyst_ratings_job",
    selection=dg.AssetSelection.assets(benzinga_ratings),
    partitions_def=US_TRADING_DAYS,
    description="Benzinga analyst ratings for a range of NYSE sessions.",
)


def _recent_run(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    start, end = recent_sessions(context.scheduled_execution_time)
    return dg.RunRequest(
        run_key=context.scheduled_execution_time.isoformat(),
        tags={RANGE_START_TAG: start.isoformat(), RANGE_END_TAG: end.isoformat()},
    )


@dg.schedule(
    job=news_sentiment_job,
    cron_schedule="0 */4 * * *",
    execution_timezone="UTC",
    description="Replaces the old 4-hourly news-sentiment cron: the previous and the latest NYSE session.",
    # runs in production once its source is configured; stopped elsewhere (lib.policies)
    default_status=schedule_status(configured=bool(os.environ.get("VP_POLYGON_API_KEY"))),
)
def news_sentiment_every_4_hours(context: dg.ScheduleEvaluationContext):
    return _recent_run(context)


@dg.schedule(
    job=analyst_ratings_job,
    cron_schedule="0 7 * * *",
    execution_timezone="America/New_York",
    description="Replaces the old daily analyst-ratings cron (07:00 New York, before the open).",
    default_status=schedule_status(configured=bool(os.environ.get("VP_BENZINGA_API_KEY"))),
)
def analyst_ratings_daily(context: dg.ScheduleEvaluationContext):
    return _recent_run(context)


# Evaluates the news and ratings freshness checks between runs (they also run with each materialization).
sentiment_freshness_sensor = dg.build_sensor_for_freshness_checks(
    freshness_checks=[*news_freshness_checks, *ratings_freshness_checks],
    name="sentiment_freshness_checks_sensor",
    default_status=sensor_status(),
)
