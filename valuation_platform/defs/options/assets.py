"""Option chains: NSE and US snapshots -> implied vol and Greeks -> daily ATM-IV history -> chain summary,
strategies.

Every asset shares the weekday ``OPTIONS_DAILY`` partitions and runs a partition range as one run. One
snapshot asset per source (NSE's option-chain API, Polygon's options snapshot): each has its own
session, schedule and freshness check, and an unavailable source fails its own asset only. Both write
``raw.option_chain_snapshots`` (rows carry their market). Which partition a snapshot lands in, and when
the live APIs are called at all: :mod:`valuation_platform.pipelines.options.markets`.
"""

import dagster as dg

from valuation_platform.defs.options.resources import OptionsResource
from valuation_platform.lib.metadata import materialized, table_metadata
from valuation_platform.lib.partitions import OPTIONS_DAILY
from valuation_platform.lib.policies import asset_defaults
from valuation_platform.lib.resources import SourcesResource, WarehouseResource
from valuation_platform.lib.sources import source_outcome
from valuation_platform.pipelines.options.contracts import PricingInputs, enrich_contracts
from valuation_platform.pipelines.options.iv_history import record_atm_iv_history
from valuation_platform.pipelines.options.markets import DEFAULT_DIVIDEND_YIELDS, DEFAULT_RATES, Market
from valuation_platform.pipelines.options.snapshots import load_chain_snapshots
from valuation_platform.pipelines.options.strategies import build_strategies
from valuation_platform.pipelines.options.summary import summarize_chains
from valuation_platform.warehouse.tables.market import POLYGON_DAILY_BARS
from valuation_platform.warehouse.tables.options import (
    OPTION_ATM_IV_HISTORY,
    OPTION_CHAIN_SNAPSHOTS,
    OPTION_CHAIN_SUMMARY,
    OPTION_CONTRACTS_ENRICHED,
    OPTION_STRATEGIES,
)
from valuation_platform.warehouse.tables.sec import US_UNIVERSE

INGESTION = asset_defaults("options", partitions_def=OPTIONS_DAILY, network=True)
# The US default underlyings are read from the universe and its daily bars (the market domain's tables).
SNAPSHOT_TABLES = [OPTION_CHAIN_SNAPSHOTS, US_UNIVERSE, POLYGON_DAILY_BARS]
ANALYTICS = asset_defaults("options", partitions_def=OPTIONS_DAILY, kinds={"python", "numpy", "postgres"})


class OptionPricingConfig(dg.Config):
    """Continuous risk-free rates per market and dividend yields per underlying (defaults documented in
    valuation_platform.pipelines.options.markets: NSE 6.5 %, US 4.5 %; NIFTY 1.2 %, BANKNIFTY 0.8 %, ...)."""

    nse_rate: float = DEFAULT_RATES["nse"]
    us_rate: float = DEFAULT_RATES["us"]
    dividend_yields: dict[str, float] = dict(DEFAULT_DIVIDEND_YIELDS)
    default_dividend_yield: float = 0.0


def _snapshot_asset(market: Market, description: str, deps: list[str | dg.AssetDep]) -> dg.AssetsDefinition:
    """The snapshot asset of one market: one source, one session, one schedule, fails alone."""

    @dg.asset(name=f"{market}_option_chain_snapshots", deps=deps, description=description,
              metadata=table_metadata(OPTION_CHAIN_SNAPSHOTS), **INGESTION)
    def _snapshots(
        context: dg.AssetExecutionContext, sources: SourcesResource, options: OptionsResource,
        warehouse: WarehouseResource,
    ) -> dg.MaterializeResult:
        request = options.snapshot_request(market, context.partition_keys, sources.ticker_filter,
                                           sources.polygon_api_key)
        with source_outcome(), warehouse.connect(SNAPSHOT_TABLES) as conn:
            return materialized(load_chain_snapshots(conn, sources.client, request))

    return _snapshots


nse_option_chain_snapshots = _snapshot_asset(
    "nse",
    "NSE option chain snapshots (option-chain-indices/-equities API), one row per contract in "
    "raw.option_chain_snapshots. Underlyings: VP_OPTION_UNDERLYINGS (default NSE's index options). A "
    "snapshot lands in the partition of its own trading date (Asia/Kolkata); live, chains are fetched "
    "only by runs that include the current partition. Bad documents are quarantined, the rest lands.",
    deps=[],
)
us_option_chain_snapshots = _snapshot_asset(
    "us",
    "US option chain snapshots (Polygon /v3/snapshot/options), one row per contract in "
    "raw.option_chain_snapshots. Underlyings: VP_OPTION_UNDERLYINGS, default the universe's most liquid "
    "tickers by 20-session average dollar volume (see the options resource). A snapshot lands in the "
    "partition of its own trading date (America/New_York). Needs VP_POLYGON_API_KEY live.",
    # The default underlyings are the universe's liquid tickers: the snapshot reads the latest stored bars,
    # whichever NYSE sessions they are (the two calendars differ in time zone and holidays).
    deps=["us_universe", dg.AssetDep("polygon_daily_bars", partition_mapping=dg.AllPartitionMapping())],
)
SNAPSHOT_ASSETS = [nse_option_chain_snapshots, us_option_chain_snapshots]


@dg.asset(
    deps=SNAPSHOT_ASSETS,
    description=(
        "Implied volatility (with a status per contract: OK, EXPIRED, NO_PRICE, BELOW_INTRINSIC, ...) and "
        "BSM Greeks at that vol for every contract, vectorised, with the exact inputs used (S, T in calendar "
        "years to the expiry close, r per market, q per underlying). Theta per year and per calendar day, "
        "vega per vol point, rho per 1 % in r."
    ),
    **ANALYTICS,
)
def option_contracts_enriched(
    context: dg.AssetExecutionContext, config: OptionPricingConfig, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    pricing = PricingInputs({"nse": config.nse_rate, "us": config.us_rate}, config.dividend_yields,
                            config.default_dividend_yield)
    with warehouse.connect([OPTION_CHAIN_SNAPSHOTS, OPTION_CONTRACTS_ENRICHED]) as conn:
        return materialized(enrich_contracts(conn, context.partition_keys, pricing))


@dg.asset(
    deps=[option_contracts_enriched],
    description=(
        "Our own daily ATM-IV history: per underlying and trading day, the 30-day constant-maturity ATM IV "
        "of the day's last snapshot (total variance interpolated between the expiries around 30 days; "
        "expiries under 7 days left out). IV rank and percentile are measured against it."
    ),
    **ANALYTICS,
)
def option_atm_iv_history(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.connect([OPTION_CHAIN_SNAPSHOTS, OPTION_CONTRACTS_ENRICHED, OPTION_ATM_IV_HISTORY]) as conn:
        return materialized(record_atm_iv_history(conn, context.partition_keys))


@dg.asset(
    deps=[option_contracts_enriched, option_atm_iv_history],
    description=(
        "Per underlying, snapshot and expiry: put-call ratios (open interest, volume), max pain, ATM IV at "
        "the forward, 25-delta skew (put IV - call IV), and the snapshot's 30-day ATM IV with its IV rank "
        "and percentile over the previous 52 weeks of our own history (None under 126 days of history)."
    ),
    **ANALYTICS,
)
def option_chain_summary(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    tables = [OPTION_CHAIN_SNAPSHOTS, OPTION_CONTRACTS_ENRICHED, OPTION_ATM_IV_HISTORY, OPTION_CHAIN_SUMMARY]
    with warehouse.connect(tables) as conn:
        return materialized(summarize_chains(conn, context.partition_keys))


@dg.asset(
    deps=[option_contracts_enriched],
    description=(
        "Iron condor, bull put and bear call spreads, covered call and long straddle per expiry, built from "
        "the enriched chain by delta, with max profit/loss, breakevens, risk-neutral probability of profit, "
        "approximate margin and a rank by reward/risk (per unit of underlying)."
    ),
    **ANALYTICS,
)
def option_strategies(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.connect([OPTION_CHAIN_SNAPSHOTS, OPTION_CONTRACTS_ENRICHED, OPTION_STRATEGIES]) as conn:
        return materialized(build_strategies(conn, context.partition_keys))
