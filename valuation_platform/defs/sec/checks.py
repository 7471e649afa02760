"""Domain invariants on the fundamentals marts, as Python asset checks (dbt tests cover keys and ranges)."""

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from valuation_platform.defs.dbt.assets import dbt_models
from valuation_platform.defs.sec.assets import sec_companyfacts
from valuation_platform.lib.resources import WarehouseResource

STATEMENTS = get_asset_key_for_model([dbt_models], "fct_financial_statements")
TOLERANCE = 0.01  # relative to total assets
MAX_VIOLATION_SHARE = 0.02  # real filers with noncontrolling interests break the identity slightly


@dg.asset_check(asset=STATEMENTS, blocking=True, description="assets = liabilities + temporary (mezzanine) equity + total equity incl. noncontrolling interests, within 1%")
def balance_sheet_identity(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as conn:
        checked, bad = conn.execute(
            """
            select count(*),
                   count(*) filter (where abs(total_assets - total_liabilities - total_equity - coalesce(temporary_equity, 0))
                                          > %s * abs(total_assets))
            from marts.fct_financial_statements
            where total_assets is not null and total_liabilities is not null and total_equity is not null
            """,
            (TOLERANCE,),
        ).fetchone()
        worst = conn.execute(
            """
            select ticker, fiscal_year, fiscal_period,
                   round(((total_assets - total_liabilities - total_equity - coalesce(temporary_equity, 0)) / nullif(total_assets, 0))::numeric, 4)
            from marts.fct_financial_statements
            where total_assets is not null and total_liabilities is not null and total_equity is not null
            order by abs(total_assets - total_liabilities - total_equity - coalesce(temporary_equity, 0)) / nullif(abs(total_assets), 0) desc
            limit 5
            """
        ).fetchall()
    share = bad / checked if checked else 0.0
    return dg.AssetCheckResult(
        passed=bool(checked) and share <= MAX_VIOLATION_SHARE,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"rows_checked": checked, "rows_violating": bad, "violation_share": share,
                  "worst": dg.MetadataValue.md("\n".join(f"- {t} {y} {p}: {g}" for t, y, p, g in worst))},
    )


@dg.asset_check(asset=sec_companyfacts, description="documents quarantined by the last companyfacts loads")
def companyfacts_quarantine(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as conn:
        rows = conn.execute(
            "select document, reason from raw.quarantine where asset_key = 'sec_companyfacts' order by document"
        ).fetchall()
    return dg.AssetCheckResult(
        passed=not rows,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"quarantined": len(rows), "documents": dg.MetadataValue.md("\n".join(f"- {d}: {r}" for d, r in rows))},
    )
