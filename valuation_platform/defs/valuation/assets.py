"""Valuation: company statements and NSE daily prices from the India landing folder, and the daily
intrinsic values (FCFF / excess return, bull/base/bear) with their attribution (steps: pipelines/valuation)."""

from datetime import UTC, date, datetime

import dagster as dg

from valuation_platform.lib.india_resource import IndiaResource
from valuation_platform.lib.metadata import materialized, merged, table_metadata
from valuation_platform.lib.partitions import INDIA_TRADING_DAYS
from valuation_platform.lib.policies import asset_defaults
from valuation_platform.lib.resources import SourcesResource, WarehouseResource
from valuation_platform.lib.sources import source_outcome
from valuation_platform.pipelines.valuation.inputs import load_bhavcopy, load_statements
from valuation_platform.pipelines.valuation.valuations import value_days
from valuation_platform.warehouse.tables.india import INDIA_DRIVERS, INDIA_UNIVERSE
from valuation_platform.warehouse.tables.valuation import (
    INDIA_STATEMENTS,
    NSE_BHAVCOPY,
    RAW_TABLES,
    VALUATION_ATTRIBUTION,
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


class ValuationConfig(dg.Config):
    """On demand: value just these NSE symbols (whatever their frequency tier); empty = the day's run."""

    symbols: list[str] = []


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
    ],
    partitions_def=INDIA_TRADING_DAYS,
    backfill_policy=dg.BackfillPolicy.single_run(),
    can_subset=False,
)
def india_valuations(context: dg.AssetExecutionContext, config: ValuationConfig, warehouse: WarehouseResource):
    tables = [*RAW_TABLES, INDIA_UNIVERSE, INDIA_DRIVERS, VALUATIONS, VALUATION_ATTRIBUTION]
    with source_outcome(), warehouse.connect(tables) as conn:
        report = value_days(conn, _days(context), symbols=config.symbols or None)
    attribution = report.pop("attribution")
    yield dg.MaterializeResult(asset_key="india_valuations", metadata=merged(report))
    yield dg.MaterializeResult(asset_key="india_valuation_attribution", metadata=merged(attribution))
