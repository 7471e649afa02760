"""Domain invariants of the market assets, as Python asset checks (dbt tests cover the marts' keys),
and the freshness the price feed's release cadence promises."""

from datetime import timedelta

import dagster as dg

from valuation_platform.defs.market.assets import (
    polygon_daily_bars,
    polygon_dividends,
    polygon_splits,
    technical_indicators,
)
from valuation_platform.lib.checks import quarantine_check
from valuation_platform.lib.resources import WarehouseResource
from valuation_platform.pipelines.market.invariants import indicator_invariants, inconsistent_bars

@dg.asset_check(
    asset=polygon_daily_bars, description="every bar has low <= open, close <= high and volume >= 0"
)
def bars_are_consistent(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as conn:
        result = inconsistent_bars(conn)
    return dg.AssetCheckResult(
        passed=result.inconsistent == 0,
        # Polygon occasionally prints such bars; indicators only read the close
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"bars_checked": result.checked, "bars_inconsistent": result.inconsistent,
                  "examples": dg.MetadataValue.md("\n".join(f"- {r}" for r in result.examples) or "none")},
    )


daily_bars_quarantine = quarantine_check(polygon_daily_bars, name="daily_bars_quarantine", what="bars and documents")
splits_quarantine = quarantine_check(polygon_splits, name="splits_quarantine", what="split records")
dividends_quarantine = quarantine_check(polygon_dividends, name="dividends_quarantine", what="dividend records")

# Release cadence: Polygon has a session's daily bars soon after the 16:00 close; the evening schedule
# (23:00 UTC = 18:00 EST / 19:00 EDT) lands them with the indicators. So by 20:00 New York on a weekday the
# latest session partition must have been materialized within the last day. (On an exchange holiday there is
# no new partition and the check WARNs: an analyst then sees that the numbers are the previous session's.)
price_freshness_checks = dg.build_last_update_freshness_checks(
    assets=[polygon_daily_bars, technical_indicators],
    lower_bound_delta=timedelta(days=1),
    deadline_cron="0 20 * * 1-5",
    timezone="America/New_York",
)


@dg.asset_check(
    asset=technical_indicators,
    blocking=True,
    description="RSI in [0, 100], Bollinger lower <= middle <= upper, and no value before its warm-up ends",
)
def indicators_are_sane(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as conn:
        result = indicator_invariants(conn)
    return dg.AssetCheckResult(
        passed=result.passed,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"rows_checked": result.checked, "rsi_out_of_range": result.rsi_out_of_range,
                  "bands_out_of_order": result.bands_out_of_order,
                  "warm_up_out_of_order": result.warm_up_out_of_order},
    )
