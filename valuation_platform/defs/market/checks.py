"""Domain invariants of the market assets, as Python asset checks (dbt tests cover the marts' keys),
and the freshness the price feed's release cadence promises."""

from datetime import timedelta

import dagster as dg

from valuation_platform.defs.market.assets import polygon_daily_bars, technical_indicators
from valuation_platform.lib.checks import quarantine_check
from valuation_platform.lib.resources import WarehouseResource

TOLERANCE = 1e-9  # relative: prices are rounded to 4 decimals after adjustment


@dg.asset_check(
    asset=polygon_daily_bars, description="every bar has low <= open, close <= high and volume >= 0"
)
def bars_are_consistent(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as conn:
        checked, bad = conn.execute(
            """
            select count(*), count(*) filter (where low > least(open, close) * (1 + %(tol)s)
                                               or high < greatest(open, close) * (1 - %(tol)s) or volume < 0)
            from raw.polygon_daily_bars
            """,
            {"tol": TOLERANCE},
        ).fetchone()
        worst = conn.execute(
            "select ticker, trade_date, open, high, low, close from raw.polygon_daily_bars"
            " where low > least(open, close) * (1 + %(tol)s) or high < greatest(open, close) * (1 - %(tol)s)"
            " or volume < 0 order by trade_date desc limit 5",
            {"tol": TOLERANCE},
        ).fetchall()
    return dg.AssetCheckResult(
        passed=bad == 0,
        # Polygon occasionally prints such bars; indicators only read the close
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"bars_checked": checked, "bars_inconsistent": bad,
                  "examples": dg.MetadataValue.md("\n".join(f"- {r}" for r in worst) or "none")},
    )


daily_bars_quarantine = quarantine_check(polygon_daily_bars, name="daily_bars_quarantine", what="bars and documents")

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
        checked, bad_rsi, bad_bands, early = conn.execute(
            """
            select count(*),
                   count(*) filter (where rsi_14 < 0 or rsi_14 > 100),
                   count(*) filter (where bb_lower > bb_middle + 1e-9 or bb_middle > bb_upper + 1e-9),
                   -- a long-window value implies every shorter one
                   -- (warm-ups nest: 252 > 199 > 49 > 33 > 25 > 19 > 14)
                   count(*) filter (where (return_12m is not null and sma_200 is null)
                                       or (sma_200 is not null and sma_50 is null)
                                       or (sma_50 is not null and macd_signal is null)
                                       or (macd_signal is not null and macd is null)
                                       or (macd is not null and bb_middle is null)
                                       or (bb_middle is not null and rsi_14 is null))
            from analytics.technical_indicators
            """
        ).fetchone()
    return dg.AssetCheckResult(
        passed=checked > 0 and bad_rsi == bad_bands == early == 0,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"rows_checked": checked, "rsi_out_of_range": bad_rsi, "bands_out_of_order": bad_bands,
                  "warm_up_out_of_order": early},
    )
