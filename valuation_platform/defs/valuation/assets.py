"""Valuation: company statements and NSE daily prices from the India landing folder, and the daily
intrinsic values (FCFF / excess return, bull/base/bear) with their attribution (steps: pipelines/valuation)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from valuation_platform.defs.dbt.assets import dbt_models

from valuation_platform.lib.india_resource import IndiaResource
from valuation_platform.lib.metadata import materialized, merged, table_metadata
from valuation_platform.lib.partitions import INDIA_TRADING_DAYS
from valuation_platform.lib.policies import asset_defaults
from valuation_platform.lib.resources import SourcesResource, WarehouseResource
from valuation_platform.lib.sources import source_outcome
from valuation_platform.pipelines.valuation.inputs import load_bhavcopy, load_statements
from valuation_platform.pipelines.valuation.valuations import value_days
from valuation_platform.pipelines.valuation.weekly_review import SECTIONS, weekly_review
from valuation_platform.warehouse.tables.india import INDIA_DRIVERS, INDIA_UNIVERSE
from valuation_platform.warehouse.tables.valuation import (
    INDIA_STATEMENTS,
    INDIA_WEEKLY_REVIEWS,
    NSE_BHAVCOPY,
    RAW_TABLES,
    VALUATION_ATTRIBUTION,
    VALUATION_DRIVER_EFFECTS,
    VALUATIONS,
)

LOCAL = asset_defaults("valuation")
DAILY = asset_defaults("valuation", partitions_def=INDIA_TRADING_DAYS)
SPEC = asset_defaults("valuation", kinds={"python", "numpy", "postgres"})  # per spec of the multi-asset


def _days(context: dg.AssetExecutionContext) -> list[date]:
    return [date.fromisoformat(k) for k in context.partition_keys]


@dg.asset(
    description=(
        "screener.in statement exports from <landing>/statements/ (the India landing folder): <SYMBOL>.xlsx "
        "(the workbook's Data Sheet: P&L, quarters, balance sheet, cash flow, prices, derived share count) or "
        "<SYMBOL>_Profit_Loss.csv-style statement CSVs, Rs crore, one long row per figure. An unreadable file "
        "is quarantined whole, a figure that is not a number as an item; the rest load."
    ),
    **LOCAL,
)
def india_statements(india: IndiaResource, sources: SourcesResource,
                     warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.connect([INDIA_STATEMENTS]) as conn:
        return materialized(load_statements(conn, india.landing_path(sources.source_root),
                                            fetched_at=datetime.now(UTC)))


@dg.asset(
    description=(
        "NSE equity bhavcopy (closing prices) of the partition's sessions from <landing>/bhavcopy/: the legacy "
        "cm<DD><MON><YYYY>bhav.csv before 2024-07-08, the UDiFF BhavCopy_NSE_CM_0_0_0_<YYYYMMDD>_F_0000.csv "
        "from then (a file whose layout does not match its date is quarantined). The CMP of the valuations."
    ),
    **DAILY,
)
def nse_bhavcopy(context: dg.AssetExecutionContext, india: IndiaResource, sources: SourcesResource,
                 warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.connect([NSE_BHAVCOPY]) as conn:
        return materialized(load_bhavcopy(conn, india.landing_path(sources.source_root),
                                          fetched_at=datetime.now(UTC), days=set(_days(context))))


SYMBOLS_TAG = "vp/valuation_symbols"  # the CLI's on-demand path: vp materialize --tag vp/valuation_symbols=TCS


class ValuationConfig(dg.Config):
    """On demand: value just these NSE symbols (whatever their frequency tier); empty = the day's run (or the
    run tag ``vp/valuation_symbols``, comma-separated, which the CLI sets with ``--tag``)."""

    symbols: list[str] = []


def _symbols(context: dg.AssetExecutionContext, config: ValuationConfig) -> list[str] | None:
    tagged = [s.strip().upper() for s in (context.run.tags.get(SYMBOLS_TAG) or "").split(",") if s.strip()]
    return config.symbols or tagged or None


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            "india_valuations",
            deps=[india_statements, nse_bhavcopy, "india_universe", "india_drivers"],
            description=(
                "Intrinsic value per share of the universe companies due on each session (DAILY every day, "
                "WEEKLY on their weekday, MONTHLY on the month's first weekday, new companies at once): FCFF DCF "
                "for operating companies, excess return for banking/financials, bull/base/bear from the MACRO "
                "drivers (10y yield, GDP growth), upside vs the bhavcopy close. analytics.valuations keeps every "
                "input the model used."
            ),
            metadata=table_metadata(VALUATIONS),
            **SPEC,
        ),
        dg.AssetSpec(
            "india_valuation_attribution",
            deps=[india_statements, nse_bhavcopy, "india_universe", "india_drivers"],
            description=(
                "The change of each base value (and upside) since the company's previous valuation, split by "
                "input: growth, margin (ROE for banks), discount rate, CMP, other, and the interaction term; "
                "contributions + interaction = the total change."
            ),
            metadata=table_metadata(VALUATION_ATTRIBUTION),
            **SPEC,
        ),
        dg.AssetSpec(
            "india_valuation_driver_effects",
            deps=["india_drivers"],
            description=(
                "What each driver of a company's chain (macro -> group -> subgroup -> company) added to its model "
                "inputs in each base valuation: the 10-year yield sets the risk-free rate, GDP surprises and "
                "DEMAND drivers move growth (ROE for financials), COST drivers the margin (ROE): the lineage from a "
                "driver to every value it moved (docs/valuation_models.md)."
            ),
            metadata=table_metadata(VALUATION_DRIVER_EFFECTS),
            **SPEC,
        ),
    ],
    partitions_def=INDIA_TRADING_DAYS,
    backfill_policy=dg.BackfillPolicy.single_run(),
    can_subset=False,
)
def india_valuations(context: dg.AssetExecutionContext, config: ValuationConfig, warehouse: WarehouseResource):
    tables = [*RAW_TABLES, INDIA_UNIVERSE, INDIA_DRIVERS, VALUATIONS, VALUATION_ATTRIBUTION, VALUATION_DRIVER_EFFECTS]
    with source_outcome(), warehouse.connect(tables) as conn:
        report = value_days(conn, _days(context), symbols=_symbols(context, config))
    attribution, effects = report.pop("attribution"), report.pop("driver_effects")
    yield dg.MaterializeResult(asset_key="india_valuations", metadata=merged(report))
    yield dg.MaterializeResult(asset_key="india_valuation_attribution", metadata=merged(attribution))
    yield dg.MaterializeResult(asset_key="india_valuation_driver_effects", metadata=merged(effects))


class WeeklyReviewConfig(dg.Config):
    """The week to review, by its last day (ISO date); empty = the latest valuation date on or before today."""

    week_ending: str = ""


@dg.asset(
    deps=[get_asset_key_for_model([dbt_models], mart) for mart, _ in SECTIONS.values()],
    description=(
        "The Sunday review (the old weekly xyOps pipeline): the week's trend signals (structural shifts and "
        "reversals), the drivers in a structural shift, the opportunity ranking's priority scopes, the week's "
        "valuation alerts and materiality alerts by type, one summary per week in analytics.india_weekly_reviews "
        "and in this asset's metadata."
    ),
    metadata=table_metadata(INDIA_WEEKLY_REVIEWS),
    **LOCAL,
)
def india_weekly_review(config: WeeklyReviewConfig, warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.connect([INDIA_WEEKLY_REVIEWS]) as conn:
        week = date.fromisoformat(config.week_ending) if config.week_ending else None
        return materialized(weekly_review(conn, week, today=datetime.now(ZoneInfo("Asia/Kolkata")).date()))
