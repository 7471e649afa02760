"""The IC Score's invariants as Python asset checks on its dbt marts (dbt tests cover keys and contracts)."""

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from valuation_platform.defs.dbt.assets import dbt_models
from valuation_platform.lib.resources import WarehouseResource
from valuation_platform.pipelines.scores.invariants import overall_ic_health, score_invariants, universe_coverage

SCORES = get_asset_key_for_model([dbt_models], "fct_ic_scores")
UNSCORABLE = get_asset_key_for_model([dbt_models], "fct_ic_score_unscorable")
QUALITY = get_asset_key_for_model([dbt_models], "fct_ic_score_quality")


@dg.asset_check(
    asset=SCORES,
    blocking=True,
    description="scores in 1..100, ratings in their bands, completeness = weight of the factors with data "
    "(renormalised weights sum to 1), confidence consistent with completeness, seed weights sum to 1",
)
def ic_scores_are_consistent(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as conn:
        result = score_invariants(conn)
    return dg.AssetCheckResult(
        passed=result.passed,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"rows_checked": result.rows, "out_of_range": result.out_of_range,
                  "rating_mismatch": result.rating_mismatch, "confidence_mismatch": result.confidence_mismatch,
                  "completeness_mismatch": result.completeness_mismatch,
                  "seed_weight_total": result.seed_weight_total,
                  "examples": dg.MetadataValue.md("\n".join(f"- {e}" for e in result.examples) or "none")},
    )


@dg.asset_check(asset=UNSCORABLE, description="every universe ticker on every session is scored or listed with a reason")
def every_ticker_accounted_for(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as conn:
        coverage = universe_coverage(conn)
    return dg.AssetCheckResult(
        passed=not coverage.unaccounted,
        metadata={"universe": coverage.universe, "sessions": coverage.sessions, "scored_rows": coverage.scored,
                  "unscorable_rows": coverage.unscorable,
                  "unaccounted": dg.MetadataValue.md("\n".join(f"- {u}" for u in coverage.unaccounted) or "none")},
    )


class IcFloor(dg.Config):
    floor: float = 0.0  # a 63-date mean IC below this means the score stopped ranking forward returns


@dg.asset_check(asset=QUALITY, description="WARN when the overall score's 63-date mean IC falls below the floor")
def ic_above_floor(config: IcFloor, warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as conn:
        health = overall_ic_health(conn, config.floor)
    return dg.AssetCheckResult(
        passed=not health.below_floor,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"score_date": health.score_date or "no forward returns yet", "ic_mean_63d": health.ic_mean_63d,
                  "ic_dates_in_window": health.ic_count_63d, "floor": health.floor},
    )
