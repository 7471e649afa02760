"""Ownership checks: quarantine, invariants (dbt tests cover keys, codes and ranges) and freshness.

The invariants' logic lives in :mod:`valuation_platform.pipelines.ownership.checks`.
"""

from datetime import timedelta

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from valuation_platform.defs.dbt.assets import dbt_models
from valuation_platform.defs.ownership.assets import sec_13f, sec_form4
from valuation_platform.lib.checks import quarantine_check
from valuation_platform.lib.metadata import merged
from valuation_platform.lib.resources import WarehouseResource
from valuation_platform.pipelines.ownership import checks

INSIDER_TRADES = get_asset_key_for_model([dbt_models], "fct_insider_trades")
HOLDINGS = dg.AssetKey("sec_13f_holdings")

form4_quarantine = quarantine_check("sec_form4_transactions", name="form4_quarantine")
thirteenf_quarantine = quarantine_check(HOLDINGS, name="thirteenf_quarantine")


@dg.asset_check(
    asset=HOLDINGS,
    description=(
        "XML filings: line count and value total agree with the cover page's summary "
        "(tableEntryTotal / tableValueTotal)"
    ),
)
def thirteenf_cover_totals(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as conn:
        passed, report = checks.cover_totals(conn)
    return dg.AssetCheckResult(passed=passed, severity=dg.AssetCheckSeverity.WARN, metadata=merged(report))


@dg.asset_check(
    asset=INSIDER_TRADES,
    blocking=True,
    description="No line of a filing a later 4/A restates (same issuer, owners, period) is left in the mart",
)
def insider_trades_prefer_amendments(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as conn:
        passed, report = checks.restated_originals_left(conn)
    return dg.AssetCheckResult(passed=passed, severity=dg.AssetCheckSeverity.ERROR, metadata=merged(report))


# Form 4: EDGAR disseminates filings all day on business days and ``insider_trades_hourly`` loads them on
# the hour, 10:00-16:00 New York: by half past each of those hours the latest load is at most 90 minutes
# old. (The cron cannot skip EDGAR holidays, on which the check warns: the schedule skips them too.)
form4_freshness = dg.build_last_update_freshness_checks(
    assets=[sec_form4],
    deadline_cron="30 10-16 * * 1-5",
    lower_bound_delta=timedelta(minutes=90),
    timezone="America/New_York",
)

# 13F: managers file within 45 days of the quarter end (Feb 14, May 15, Aug 14, Nov 14) and
# ``institutional_holdings_quarterly`` loads the quarter just due at 06:00 UTC on the 16th of
# Feb/May/Aug/Nov; by 18:00 that day a load of at most 12 hours ago is expected.
thirteenf_freshness = dg.build_last_update_freshness_checks(
    assets=[sec_13f],
    deadline_cron="0 18 16 2,5,8,11 *",
    lower_bound_delta=timedelta(hours=12),
    timezone="UTC",
)
