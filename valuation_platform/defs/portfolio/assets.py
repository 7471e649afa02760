"""Portfolio risk: landed positions, targets and tags, DGS10, and the nightly analytics phases.

The old batch orchestrator's phases are asset dependencies here: snapshots -> (betas, factor exposures,
volatility, concentration, risk) -> (stress tests, health) -> insights. A failing phase stops only what
depends on it. Every analytics asset is partitioned by NYSE session (US_TRADING_DAYS).
"""

from collections.abc import Callable
from datetime import date
from typing import Any

import dagster as dg
import psycopg
from dagster_dbt import get_asset_key_for_model

from valuation_platform.defs.dbt.assets import dbt_models

from valuation_platform.defs.portfolio.resources import PortfolioResource
from valuation_platform.lib.metadata import materialized, merged, table_metadata
from valuation_platform.lib.partitions import US_TRADING_DAYS
from valuation_platform.lib.policies import asset_defaults
from valuation_platform.lib.resources import SourcesResource, WarehouseResource
from valuation_platform.lib.sources import source_outcome
from valuation_platform.pipelines.portfolio import outlook, phases
from valuation_platform.pipelines.portfolio.reports import Reports
from valuation_platform.pipelines.portfolio.loads import load_positions, load_rates, load_targets_and_tags
from valuation_platform.pipelines.portfolio.snapshots import record_snapshots
from valuation_platform.warehouse.tables.portfolio import (
    ACTIVITY, BETAS, CONCENTRATION, CORRELATIONS, FACTOR_EXPOSURES, FRED_OBSERVATIONS, HEALTH, INSIGHTS,
    PORTFOLIO_POSITIONS, PORTFOLIO_SNAPSHOTS, PORTFOLIO_TAGS, PORTFOLIO_TARGET_PRICES, POSITION_SNAPSHOTS, RISK,
    STRESS_TESTS, VOLATILITY,
)

ANALYTICS = asset_defaults("portfolio", partitions_def=US_TRADING_DAYS, kinds={"python", "numpy", "postgres"})
ALL_TABLES = [PORTFOLIO_POSITIONS, PORTFOLIO_TARGET_PRICES, PORTFOLIO_TAGS, FRED_OBSERVATIONS, POSITION_SNAPSHOTS,
              PORTFOLIO_SNAPSHOTS, BETAS, FACTOR_EXPOSURES, VOLATILITY, CORRELATIONS, CONCENTRATION, RISK,
              STRESS_TESTS, HEALTH, INSIGHTS, ACTIVITY]


def _tables(defaults: dict[str, Any], specs: list[dg.AssetSpec]) -> dict[str, Any]:
    """``dg.multi_asset`` arguments for a step writing one table per spec: owners and kinds go on each spec
    (a multi_asset takes them per spec), the rest once; the step always writes every table (no subsetting)."""
    shared = dict(defaults)
    per_spec = {key: shared.pop(key) for key in ("owners", "kinds")}
    return dict(specs=[spec.replace_attributes(**per_spec) for spec in specs], can_subset=False, **shared)


def _keys(deps: list) -> list:
    """Dependencies with a multi-asset spelled out as its keys (an AssetSpec dep takes one key each)."""
    return [k for d in deps for k in (d.keys if isinstance(d, dg.AssetsDefinition) else [d])]


def _sessions(context: dg.AssetExecutionContext) -> list[date]:
    return [date.fromisoformat(k) for k in context.partition_keys]


@dg.asset(
    deps=["us_universe"],
    description="Positions from the broker-style CSV exports in <landing>/positions (VP_PORTFOLIO_LANDING): "
                "LONG, SHORT, options LC/LP/SC/SP with contract details, CASH. Rows with an unknown ticker, a zero "
                "or wrongly signed quantity or missing option details are quarantined with their reason; the rest "
                "land. A portfolio's file is its whole book.",
    **asset_defaults("portfolio"),
)
def portfolio_positions(sources: SourcesResource, portfolio: PortfolioResource,
                        warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.connect(ALL_TABLES) as conn:
        return materialized(load_positions(conn, portfolio.landing(sources.source_root)))


# both tables share their deps: the whole-graph runner stages assets by readiness, and a multi-asset
# that cannot be subset must land in one stage
LANDED = [portfolio_positions, "polygon_daily_bars"]


@dg.multi_asset(
    name="portfolio_target_prices",
    **_tables(asset_defaults("portfolio"), [
        dg.AssetSpec("portfolio_target_prices", deps=LANDED,
                     description="Target/stop prices imported from <landing>/targets, then exported back to "
                                 "<landing>/exports with the latest close and upside to target."),
        dg.AssetSpec("portfolio_tags", deps=LANDED,
                     description="Free-form position tags imported from <landing>/tags (exported back with the "
                                 "targets)."),
    ]),
)
def portfolio_target_prices(sources: SourcesResource, portfolio: PortfolioResource, warehouse: WarehouseResource):
    with warehouse.connect(ALL_TABLES) as conn:
        reports = load_targets_and_tags(conn, portfolio.landing(sources.source_root))
    yield from _results(reports)


@dg.asset(
    description="FRED DGS10 (10-year Treasury constant-maturity yield, percent), the whole history from "
                "fredgraph.csv; '.' days (no print) kept as NULL. Rate betas regress on its daily changes.",
    metadata=table_metadata(FRED_OBSERVATIONS),  # raw.fred_observations: named for the source, not the asset
    **asset_defaults("portfolio", network=True),
)
def fred_dgs10(sources: SourcesResource, warehouse: WarehouseResource) -> dg.MaterializeResult:
    with source_outcome(), warehouse.connect([FRED_OBSERVATIONS]) as conn:
        return materialized(load_rates(conn, sources.client))


def _results(reports: Reports):
    for key, report in reports.items():
        yield dg.MaterializeResult(asset_key=key, metadata=merged(report))


def _phase(name: str, step: Callable[[psycopg.Connection, list[date]], Reports], deps: list,
           tables: dict[str, str]) -> dg.AssetsDefinition:
    """One phase of the batch: one asset per analytics table it writes (``{table: description}``), so each
    dbt source points at its own asset key; the phase always writes all of them (no subsetting)."""

    specs = [dg.AssetSpec(table, deps=_keys(deps), description=text) for table, text in tables.items()]

    @dg.multi_asset(name=name, **_tables(ANALYTICS, specs))
    def _asset(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        with warehouse.connect(ALL_TABLES) as conn:
            reports = step(conn, _sessions(context))
        yield from _results(reports)

    return _asset


COMPANIES = get_asset_key_for_model([dbt_models], "dim_company")
GREEKS = dg.AssetDep("option_contracts_enriched", partition_mapping=dg.AllPartitionMapping())
portfolio_snapshots = _phase(
    "portfolio_snapshots", record_snapshots, [portfolio_positions, "polygon_daily_bars", fred_dgs10, GREEKS], {
        "portfolio_snapshots": "Phase 1. Per portfolio and session: NAV, gross/net/long/short exposure, daily P&L "
                               "and return.",
        "portfolio_position_snapshots": "Phase 1. Per position and session: price, market value, cost, unrealized "
                                        "and daily P&L, delta (the options domain's Greeks where the session's chain "
                                        "holds the contract, else Black-Scholes) and delta-adjusted exposure.",
    })
portfolio_betas = _phase("portfolio_betas", phases.record_betas, [portfolio_snapshots], {
    "portfolio_betas": "Phase 2. OLS market beta vs SPY over 60 and 252 sessions (alpha, R^2, standard error) and "
                       "rate beta vs daily DGS10 changes (return per +1 pp), per position (its underlying) and "
                       "portfolio (back-cast returns)."})
portfolio_factor_exposures = _phase("portfolio_factor_exposures", phases.record_factor_exposures, [portfolio_snapshots], {
    "portfolio_factor_exposures": "Phase 2. Ridge exposures to market (SPY) and the size/value/momentum/quality/"
                                  "low-vol spreads vs SPY (IWM, VLUE, MTUM, QUAL, USMV) over 252 sessions; penalty "
                                  "documented in analytics.portfolio.factors."})
portfolio_volatility = _phase("portfolio_volatility", phases.record_volatility, [portfolio_snapshots], {
    "portfolio_volatility": "Phase 2. Realized volatility over 21 and 63 sessions and HAR forecasts 1/5/21 sessions "
                            "ahead, annualised."})
portfolio_concentration = _phase("portfolio_concentration", phases.record_concentration, [portfolio_snapshots], {
    "portfolio_concentration": "Phase 2. HHI, effective N, top-5 weight, average correlation and the "
                               "diversification score per portfolio.",
    "portfolio_correlations": "Phase 2. 90-session pairwise return correlations of each portfolio's positions."})
portfolio_risk = _phase("portfolio_risk", phases.record_risk, [portfolio_snapshots], {
    "portfolio_risk": "Phase 2. Historical and parametric VaR/CVaR at 95/99 %, 1 and 10 sessions, and Sharpe, "
                      "Sortino, max drawdown, Calmar, win rate, alpha and beta (empyrical-reloaded conventions) of "
                      "the back-cast returns."})
portfolio_stress_tests = _phase("portfolio_stress_tests", outlook.record_stress_tests, [portfolio_betas, COMPANIES], {
    "portfolio_stress_tests": "Phase 3. Historical windows (2008-09/10, 2020-02/03, 2022) replayed on today's "
                              "weights where the price history covers them, and scenarios: market -20 %, rates "
                              "+100 bp, largest sector -10 %."})
portfolio_health = _phase(
    "portfolio_health", outlook.record_health, [portfolio_betas, portfolio_volatility, portfolio_concentration], {
        "portfolio_health": "Phase 3. Health score 0-100 from beta, volatility, concentration and diversification, "
                            "grade A-F and a one-line interpretation."})
portfolio_insights = _phase(
    "portfolio_insights", outlook.record_insights,
    [portfolio_betas, portfolio_volatility, portfolio_concentration, portfolio_risk, portfolio_target_prices,
     COMPANIES], {
        "portfolio_insights": "Phase 4. Alert cards (concentration, volatility spike, beta drift, drawdown, target "
                              "price hit) with their numbers.",
        "portfolio_activity": "Phase 4. Activity feed since the previous session: price moves, NAV moves, "
                              "volatility changes, sector shifts."})
PHASES = [portfolio_snapshots, portfolio_betas, portfolio_factor_exposures, portfolio_volatility,
          portfolio_concentration, portfolio_risk, portfolio_stress_tests, portfolio_health, portfolio_insights]
