"""Treasury: desk accounts and transfer requests from the landing folder, the double-entry ledger with its
blocking limits and claw-back proposals, the daily reconciliation check and its schedule (Asia/Kolkata)."""

from datetime import UTC, datetime

import dagster as dg

from valuation_platform.defs.dbt.assets import marts
from valuation_platform.defs.trading.desk import TradingDeskResource, results, table_specs
from valuation_platform.lib.checks import quarantine_check
from valuation_platform.lib.metadata import materialized, to_metadata
from valuation_platform.lib.policies import asset_defaults, schedule_status
from valuation_platform.lib.resources import SourcesResource, WarehouseResource
from valuation_platform.pipelines.trading.treasury import load_accounts, load_transfers, reconcile, record_treasury
from valuation_platform.warehouse.tables.trading_desk import (
    TRADING_ACCOUNTS, TREASURY_CLAWBACKS, TREASURY_DECISIONS, TREASURY_LEDGER, TREASURY_TRANSFERS,
)

DESK = asset_defaults("trading")
TABLES = [TRADING_ACCOUNTS, TREASURY_TRANSFERS, TREASURY_LEDGER, TREASURY_DECISIONS, TREASURY_CLAWBACKS]


@dg.asset(description="Desk accounts from <trading landing>/accounts: statement cash balance, opening balance of the "
                      "treasury ledger, minimum buffer and maximum loan (integer paise). Bad rows are quarantined.",
          **DESK)
def trading_accounts(sources: SourcesResource, trading_desk: TradingDeskResource,
                     warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.connect(TABLES) as conn:
        return materialized(load_accounts(conn, trading_desk.landing(sources.source_root)))


@dg.asset(description="Inter-account transfer requests from <trading landing>/transfers with who approved them "
                      "and when (empty = awaiting approval). Bad rows are quarantined.", **DESK)
def treasury_transfers(sources: SourcesResource, trading_desk: TradingDeskResource,
                       warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.connect(TABLES) as conn:
        return materialized(load_transfers(conn, trading_desk.landing(sources.source_root)))


@dg.multi_asset(
    name="treasury_ledger",
    specs=table_specs(DESK, {
        "treasury_ledger": "Double-entry ledger: each approved transfer within the limits as MOVE_OUT and MOVE_IN "
                           "(integer paise), posted once per transfer id.",
        "treasury_decisions": "Each request's outcome: POSTED, BLOCKED (min_buffer, max_loan, unknown account) with a "
                              "one-line reason, or AWAITING_APPROVAL.",
        "treasury_clawbacks": "Claw-back proposals for accounts below their minimum buffer: from the accounts that owe "
                              "them first, then the largest surplus; they await approval.",
    }, [trading_accounts, treasury_transfers]),
    can_subset=False,
)
def treasury_ledger(warehouse: WarehouseResource):
    with warehouse.connect(TABLES) as conn:
        yield from results(record_treasury(conn, datetime.now(UTC)))


@dg.asset_check(asset="treasury_ledger", blocking=True,
                description="Daily reconciliation: opening balance + ledger entries = the statement balance of every "
                            "account, to the paisa, and every transfer's MOVE_OUT/MOVE_IN sum to zero. Fails (and "
                            "blocks the ledger marts) when an entry is missing or a balance is off.")
def treasury_reconciles(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect(TABLES) as conn:
        outcome = reconcile(conn)
    return dg.AssetCheckResult(passed=outcome.passed, metadata=to_metadata(outcome.metadata))


accounts_quarantine = quarantine_check(trading_accounts, what="account rows")
transfers_quarantine = quarantine_check(treasury_transfers, what="transfer rows")

treasury_job = dg.define_asset_job(
    "treasury_daily_job",
    selection=dg.AssetSelection.assets(trading_accounts, treasury_transfers, treasury_ledger)
    | marts("fct_treasury_ledger", "fct_treasury_clawbacks", "fct_treasury_reconciliation"),
    description="Accounts, transfers, the ledger and its reconciliation check, then the treasury marts.",
)


@dg.schedule(job=treasury_job, cron_schedule="0 18 * * *", execution_timezone="Asia/Kolkata",
             description="Treasury ledger and its reconciliation, daily at 18:00 India time (after the banks' "
                         "end-of-day statements).", default_status=schedule_status())
def treasury_daily(context: dg.ScheduleEvaluationContext):
    return dg.RunRequest(run_key=context.scheduled_execution_time.date().isoformat())
