"""Learning loop: the fills ledger from the landing folder, closed trades, per-playbook quality by strategy and
month, and quality-drift alerts proposing a meta-label threshold for human approval; weekly (Asia/Kolkata)."""

import dagster as dg

from valuation_platform.defs.dbt.assets import marts
from valuation_platform.defs.trading.desk import TradingDeskResource, results, table_specs
from valuation_platform.lib.checks import quarantine_check
from valuation_platform.lib.metadata import materialized
from valuation_platform.lib.policies import asset_defaults, schedule_status
from valuation_platform.lib.resources import SourcesResource, WarehouseResource
from valuation_platform.pipelines.trading.learning import load_fills, record_learning
from valuation_platform.pipelines.trading.settings import playbook_table, thresholds
from valuation_platform.warehouse.tables.trading_desk import (
    META_LABEL_PROPOSALS, PLAYBOOK_PERFORMANCE, TRADE_FILLS, TRADE_OUTCOMES,
)

DESK = asset_defaults("trading")
ANALYTICS = asset_defaults("trading", kinds={"python", "numpy", "postgres"})
TABLES = [TRADE_FILLS, TRADE_OUTCOMES, PLAYBOOK_PERFORMANCE, META_LABEL_PROPOSALS]
SEEDS = [dg.AssetKey(["marts", "playbooks"]), dg.AssetKey(["marts", "trading_thresholds"])]


@dg.asset(description="Broker fills of the desk's trades from <trading landing>/fills (trade id, side, quantity, "
                      "price, fees, playbook, strategy, meta-label score). Bad rows are quarantined.", **DESK)
def trade_fills(sources: SourcesResource, trading_desk: TradingDeskResource,
                warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.connect(TABLES) as conn:
        return materialized(load_fills(conn, trading_desk.landing(sources.source_root)))


@dg.multi_asset(
    name="trade_outcomes",
    specs=table_specs(ANALYTICS, {
        "trade_outcomes": "Closed round trips: quantity-weighted entry and exit, P&L after fees, return, holding time.",
        "playbook_performance": "Per playbook, strategy and exit month: win rate, average win and loss, expectancy, "
                                "per-trade Sharpe and maximum drawdown (the portfolio domain's functions).",
        "meta_label_proposals": "Quality drift (rolling win rate or expectancy below the baseline by more than the "
                                "reviewed drop) with a proposed meta-label threshold awaiting approval.",
    }, [trade_fills, *SEEDS]),
    can_subset=False,
)
def trade_outcomes(warehouse: WarehouseResource):
    with warehouse.connect(TABLES) as conn:
        yield from results(record_learning(conn, playbook_table(), thresholds()))


fills_quarantine = quarantine_check(trade_fills, what="fill rows")

learning_job = dg.define_asset_job(
    "learning_weekly_job",
    selection=dg.AssetSelection.assets(trade_fills, trade_outcomes)
    | marts("fct_trade_outcomes", "fct_playbook_performance", "fct_meta_label_proposals"),
    description="Fills, closed trades, playbook quality and drift proposals, then their marts.")


@dg.schedule(job=learning_job, cron_schedule="0 8 * * 6", execution_timezone="Asia/Kolkata",
             description="The learning loop weekly, Saturday 08:00 India time (after the week's last session).",
             default_status=schedule_status())
def learning_weekly(context: dg.ScheduleEvaluationContext):
    return dg.RunRequest(run_key=context.scheduled_execution_time.date().isoformat())
