"""Domain invariants on the fundamentals marts, as Python asset checks (dbt tests cover keys and ranges)."""

from datetime import timedelta

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from valuation_platform.defs.dbt.assets import dbt_models
from valuation_platform.defs.sec.assets import sec_company_tickers, sec_companyfacts, us_universe
from valuation_platform.lib.checks import quarantine_check
from valuation_platform.lib.resources import WarehouseResource
from valuation_platform.pipelines.sec.invariants import balance_sheet_identity

STATEMENTS = get_asset_key_for_model([dbt_models], "fct_financial_statements")
TOLERANCE = 0.01  # of total assets
MAX_VIOLATION_SHARE = 0.02  # real filers break the identity slightly (rounding, unusual equity lines)


@dg.asset_check(
    asset=STATEMENTS,
    name="balance_sheet_identity",
    blocking=True,
    description=(
        f"assets = liabilities + temporary (mezzanine) equity + total equity incl. noncontrolling interests, "
        f"within {TOLERANCE:.0%} of total assets, on at least {1 - MAX_VIOLATION_SHARE:.0%} of balance sheets"
    ),
)
def balance_sheet_identity_check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as conn:
        result = balance_sheet_identity(conn, TOLERANCE)
    return dg.AssetCheckResult(
        passed=bool(result.rows_checked) and result.violation_share <= MAX_VIOLATION_SHARE,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "rows_checked": result.rows_checked,
            "rows_violating": result.rows_violating,
            "violation_share": result.violation_share,
            "worst": dg.MetadataValue.md("\n".join(f"- {t} {y} {p}: {g}" for t, y, p, g in result.worst)),
        },
    )


companyfacts_quarantine = quarantine_check(sec_companyfacts, name="companyfacts_quarantine")
universe_quarantine = quarantine_check(us_universe, what="tickers and profiles")

# Release cadence: company_tickers.json and submissions change daily (new listings, filings); the weekly
# universe refresh (Sunday 02:00 UTC) must have landed within 8 days. Companyfacts follow each filing;
# the weekly sensor-launched refresh likewise.
sec_freshness = dg.build_last_update_freshness_checks(
    assets=[sec_company_tickers, us_universe, sec_companyfacts], lower_bound_delta=timedelta(days=8)
)
