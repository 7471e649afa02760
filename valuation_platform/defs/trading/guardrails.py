"""Trade cards and guardrails: card versions and the desk's positions from the landing folder, each new card
version's six guardrails and its playbook check (evaluated once per version), and the sensor that runs them
when a card is dropped."""

from datetime import UTC, datetime

import dagster as dg

from valuation_platform.defs.dbt.assets import marts
from valuation_platform.defs.trading.desk import TradingDeskResource
from valuation_platform.defs.trading.treasury import trading_accounts
from valuation_platform.lib.checks import quarantine_check
from valuation_platform.lib.landing import landing_sensor
from valuation_platform.lib.metadata import materialized
from valuation_platform.lib.policies import asset_defaults
from valuation_platform.lib.resources import SourcesResource, WarehouseResource
from valuation_platform.pipelines.trading.cards import load_cards
from valuation_platform.pipelines.trading.desk_files import card_fingerprint
from valuation_platform.pipelines.trading.guardrails import evaluate_cards, load_positions
from valuation_platform.pipelines.trading.settings import playbook_table, thresholds
from valuation_platform.warehouse.tables.trading_desk import GUARDRAIL_RESULTS, TRADE_CARDS, TRADING_POSITIONS

DESK = asset_defaults("trading")
TABLES = [TRADE_CARDS, TRADING_POSITIONS, GUARDRAIL_RESULTS]
# built by dbt: the seeds here, the NSE reference marts by the trading domain's NSE part
INPUTS = [dg.AssetKey(["marts", name]) for name in ("playbooks", "trading_thresholds", "fct_corporate_events",
                                                      "dim_nse_symbol")]


@dg.asset(description="Trade card versions from <trading landing>/cards (one JSON document each: account, symbol, "
                      "side, quantity, limit, playbook, sector, thesis, catalyst time, instrument incl. option legs). "
                      "A version is immutable: other content under a stored version is quarantined.", **DESK)
def trade_cards(sources: SourcesResource, trading_desk: TradingDeskResource,
                warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.connect(TABLES) as conn:
        return materialized(load_cards(conn, trading_desk.landing(sources.source_root), set(playbook_table())))


@dg.asset(description="Holdings per desk account from <trading landing>/positions (an account's file is its whole "
                      "book): the base of position size and sector exposure.", **DESK)
def trading_positions(sources: SourcesResource, trading_desk: TradingDeskResource,
                      warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.connect(TABLES) as conn:
        return materialized(load_positions(conn, trading_desk.landing(sources.source_root)))


@dg.asset(
    deps=[trade_cards, trading_positions, trading_accounts, "india_universe",
          dg.AssetDep("nse_bhavcopy", partition_mapping=dg.AllPartitionMapping()), *INPUTS],
    description="Each new card version through liquidity, position size, sector exposure, event window, market "
                "regime and catalyst freshness (severity, observed value, threshold, inputs, one line) and its "
                "playbook; thresholds from the reviewed seed trading_thresholds. Evaluated once per version.",
    **asset_defaults("trading", kinds={"python", "numpy", "postgres"}),
)
def guardrail_results(warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.connect(TABLES) as conn:
        return materialized(evaluate_cards(conn, playbook_table(), thresholds(), datetime.now(UTC)))


cards_quarantine = quarantine_check(trade_cards, what="card documents")
positions_quarantine = quarantine_check(trading_positions, what="position rows")

guardrails_job = dg.define_asset_job(
    "guardrails_job", selection=dg.AssetSelection.assets(trade_cards, trading_positions, guardrail_results)
    | marts("fct_guardrail_results", "fct_trade_card_decisions"),
    description="New card versions, the desk's positions and their guardrail verdicts, then their marts.")

trading_new_cards = landing_sensor(
    name="trading_new_cards",
    job=guardrails_job,
    folder=lambda resources: resources.trading_desk.landing(resources.sources.source_root),
    fingerprint=card_fingerprint,
    resources={"trading_desk", "sources"},
    description="Watches <trading landing>/cards (VP_TRADING_LANDING) and evaluates each new or changed card.",
    tag="vp/trading_cards",
)
