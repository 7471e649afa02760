"""Ownership invariants as Python asset checks (dbt tests cover keys, codes and ranges)."""

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from valuation_platform.defs.dbt.assets import dbt_models
from valuation_platform.lib.resources import WarehouseResource

INSIDER_TRADES = get_asset_key_for_model([dbt_models], "fct_insider_trades")
MAX_TOTALS_MISMATCH_SHARE = 0.02  # real filers occasionally misstate their own summary page


FORM4_LINES = dg.AssetKey("sec_form4_transactions")
HOLDINGS = dg.AssetKey("sec_13f_holdings")


def _quarantine_check(asset: dg.AssetKey, name: str) -> dg.AssetChecksDefinition:
    asset_key = asset.to_user_string()  # the loads quarantine under the key of the asset they feed

    @dg.asset_check(asset=asset, name=name, description=f"documents {asset_key} left in raw.quarantine")
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as conn:
            rows = conn.execute(
                "select document, reason from raw.quarantine where asset_key = %s order by document",
                (asset_key,),
            ).fetchall()
        return dg.AssetCheckResult(
            passed=not rows,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "quarantined": len(rows),
                "documents": dg.MetadataValue.md("\n".join(f"- {d}: {r}" for d, r in rows[:50])),
            },
        )

    return _check


form4_quarantine = _quarantine_check(FORM4_LINES, "form4_quarantine")
thirteenf_quarantine = _quarantine_check(HOLDINGS, "thirteenf_quarantine")


@dg.asset_check(
    asset=HOLDINGS,
    description=(
        "XML filings: line count and value total agree with the cover page's summary "
        "(tableEntryTotal / tableValueTotal)"
    ),
)
def thirteenf_cover_totals(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as conn:
        rows = conn.execute(
            """
            select f.accession, f.table_entry_total, f.table_value_total,
                   count(h.accession), sum(h.value_reported)
            from raw.sec_13f_filings f
            left join raw.sec_13f_holdings h using (accession)
            where f.origin = 'xml' and f.table_entry_total is not null
            group by f.accession, f.table_entry_total, f.table_value_total
            """
        ).fetchall()
    bad = [r for r in rows if r[1] != r[3] or (r[2] is not None and r[2] != (r[4] or 0))]
    share = len(bad) / len(rows) if rows else 0.0
    return dg.AssetCheckResult(
        passed=share <= MAX_TOTALS_MISMATCH_SHARE,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "filings_checked": len(rows),
            "filings_disagreeing": len(bad),
            "examples": dg.MetadataValue.md(
                "\n".join(f"- {a}: cover {n}/{v}, table {c}/{s}" for a, n, v, c, s in bad[:10]) or "(none)"
            ),
        },
    )


@dg.asset_check(
    asset=INSIDER_TRADES,
    blocking=True,
    description="No line of a filing a later 4/A restates (same issuer, owners, period) is left in the mart",
)
def insider_trades_prefer_amendments(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as conn:
        rows = conn.execute(
            """
            with filings as (
                select distinct accession, issuer_cik, reporting_owner_key, period_of_report, filing_date,
                       is_amendment, date_of_original_submission
                from staging.stg_sec__form4_transactions
            )
            select distinct earlier.accession, amendment.accession
            from filings amendment
            join filings earlier
              on earlier.issuer_cik = amendment.issuer_cik
             and earlier.reporting_owner_key = amendment.reporting_owner_key
             and earlier.period_of_report = amendment.period_of_report
             and earlier.filing_date = amendment.date_of_original_submission
             and not earlier.is_amendment
            where amendment.is_amendment
              and exists (select 1 from marts.fct_insider_trades t where t.accession = earlier.accession)
            """
        ).fetchall()
        amendments = conn.execute(
            "select count(distinct accession) from marts.fct_insider_trades where is_amendment"
        ).fetchone()[0]
    return dg.AssetCheckResult(
        passed=not rows,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "amendments_in_mart": int(amendments),
            "restated_originals_left": len(rows),
            "examples": dg.MetadataValue.md(
                "\n".join(f"- {o} restated by {a}" for o, a in rows[:10]) or "(none)"
            ),
        },
    )
