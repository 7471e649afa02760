"""Checks of the portfolio domain: quarantined landing rows, and invariants the analytics must satisfy.

The invariants are identities that hold whatever the data (a different computation path of the same
quantity), so they catch wiring mistakes without recomputing a value with the function that produced it.
"""

import dagster as dg

from valuation_platform.defs.portfolio.assets import portfolio_positions
from valuation_platform.lib.checks import quarantine_check
from valuation_platform.lib.metadata import to_metadata
from valuation_platform.lib.resources import WarehouseResource
from valuation_platform.pipelines.portfolio.invariants import beta_additivity, nav_identity

positions_quarantine = quarantine_check(portfolio_positions, what="position rows")
target_prices_quarantine = quarantine_check("portfolio_target_prices", what="target and tag rows")


@dg.asset_check(asset="portfolio_snapshots", blocking=True,
                description="NAV = cash + sum of position market values; gross >= |net|; long >= 0 >= short")
def snapshots_add_up(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as conn:
        outcome = nav_identity(conn)
    return dg.AssetCheckResult(passed=outcome.passed, metadata=to_metadata(outcome.metadata))


@dg.asset_check(asset="portfolio_betas", description="OLS is linear: a portfolio's beta equals the weighted sum of its "
                "underlyings' betas over the same sessions (1e-8), where every holding has full history")
def portfolio_beta_is_weighted_sum(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as conn:
        outcome = beta_additivity(conn)
    return dg.AssetCheckResult(passed=outcome.passed, severity=dg.AssetCheckSeverity.WARN,
                               metadata=to_metadata(outcome.metadata))
