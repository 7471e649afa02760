"""Trading asset checks: what each NSE load quarantined, the symbol master's disagreements with the rest of
the platform, and the freshness of the FII/DII flows (the India macro drivers read them)."""

from datetime import timedelta

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from valuation_platform.defs.dbt.assets import dbt_models
from valuation_platform.defs.trading.assets import (
    nse_bulk_block_deals,
    nse_corporate_events,
    nse_insider_trades,
    nse_institutional_flows,
    nsdl_fpi_investment,
)
from valuation_platform.lib.checks import quarantine_check
from valuation_platform.lib.metadata import to_metadata
from valuation_platform.lib.resources import WarehouseResource
from valuation_platform.pipelines.trading.symbols import symbol_mismatches

nse_equity_list_quarantine = quarantine_check("nse_equity_list", what="EQUITY_L and index-list rows")
nse_corporate_events_quarantine = quarantine_check(nse_corporate_events, what="calendar records")
nse_institutional_flows_quarantine = quarantine_check(nse_institutional_flows, what="FII/DII records")
nse_insider_trades_quarantine = quarantine_check(nse_insider_trades, what="insider-trading rows")
nsdl_fpi_investment_quarantine = quarantine_check(nsdl_fpi_investment, what="NSDL FPI rows and reporting dates")
nse_bulk_block_deals_quarantine = quarantine_check(nse_bulk_block_deals, what="deal records")

MISMATCHES = get_asset_key_for_model([dbt_models], "fct_nse_symbol_mismatches")


@dg.asset_check(
    asset=MISMATCHES,
    name="trading_symbol_mismatches",
    description=(
        "Universe symbols missing from EQUITY_L.csv and ISINs that differ between EQUITY_L, the latest bhavcopy "
        "and the index lists (WARN: the master still lands; an analyst resolves each row)"
    ),
)
def trading_symbol_mismatches(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as conn:
        found = symbol_mismatches(conn)
    return dg.AssetCheckResult(passed=found["mismatches"] == 0, severity=dg.AssetCheckSeverity.WARN,
                               metadata=to_metadata(found))


# NSE publishes the FII/DII report after the close and the 18:30 IST run loads it: by 19:30 IST on a
# weekday the last load must be under a day and a half old (a Monday deadline accepts Friday evening's run
# plus the weekend only through the WARN; exchange holidays show as overdue, as the crons know weekdays).
nse_institutional_flows_freshness = dg.build_last_update_freshness_checks(
    assets=[nse_institutional_flows], lower_bound_delta=timedelta(hours=26), deadline_cron="30 19 * * 1-5",
    timezone="Asia/Kolkata",
)
