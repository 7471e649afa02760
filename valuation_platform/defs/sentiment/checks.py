"""Domain invariants of the sentiment assets, as Python asset checks, and the freshness each feed's
release cadence promises."""

from datetime import timedelta

import dagster as dg

from valuation_platform.defs.sentiment.assets import benzinga_ratings, news_sentiment, polygon_news
from valuation_platform.lib.checks import quarantine_check
from valuation_platform.lib.resources import WarehouseResource
from valuation_platform.pipelines.sentiment.invariants import sentiment_invariants, unmapped_ratings


news_quarantine = quarantine_check(polygon_news, name="news_quarantine", what="articles (e.g. without tickers)")
ratings_quarantine = quarantine_check(benzinga_ratings, name="ratings_quarantine", what="rating pages")

# Release cadence: Polygon publishes news around the clock and the schedule reads it every 4 hours, so the
# news and its scores must never be more than 4 hours (plus an hour of slack for the run) behind.
news_freshness_checks = dg.build_last_update_freshness_checks(
    assets=[polygon_news, news_sentiment], lower_bound_delta=timedelta(hours=5)
)
# Benzinga's ratings calendar changes daily (notes come out before the open); the daily run at 07:00 New
# York lands them, so by 09:00 New York on a weekday the ratings must have been updated within a day.
ratings_freshness_checks = dg.build_last_update_freshness_checks(
    assets=[benzinga_ratings],
    lower_bound_delta=timedelta(days=1),
    deadline_cron="0 9 * * 1-5",
    timezone="America/New_York",
)


@dg.asset_check(
    asset=news_sentiment,
    blocking=True,
    description="every stored article-ticker pair is scored, scores in [-1, 1], known labels and scorers",
)
def sentiment_is_complete_and_bounded(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as conn:
        result = sentiment_invariants(conn)
    return dg.AssetCheckResult(
        passed=result.passed,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"rows_scored": result.scored, "pairs_unscored": result.unscored,
                  "scores_out_of_range": result.out_of_range, "unknown_label_or_scorer": result.unknown_names},
    )


@dg.asset_check(
    asset=benzinga_ratings, description="rating strings without a numeric mapping (stay NULL, to review)"
)
def ratings_map_to_the_scale(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as conn:
        rows = unmapped_ratings(conn)
    return dg.AssetCheckResult(
        passed=not rows,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "unknown_rating_strings": dg.MetadataValue.md("\n".join(f"- {r!r}: {n}" for r, n in rows) or "none"),
        },
    )
