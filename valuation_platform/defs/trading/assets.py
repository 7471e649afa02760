"""Trading domain, NSE inputs: the symbol master, the corporate calendar, FII/DII flows, insider-trading
disclosures and bulk/block deals. Each asset fetches from www.nseindia.com (or a mirror, VP_SOURCE_ROOT)
and lands raw rows; the marts (dim_nse_symbol, fct_corporate_events, fct_institutional_flows,
fct_india_insider_trades, fct_bulk_block_deals) are dbt models downstream.

Daily assets use the India session partitions (a day's calendar, export or deal list is the unit). The
symbol master is a snapshot and the FII/DII report answers the latest session only: both unpartitioned, as
is NSDL's FPI daily-trends page (the depository view of the same flows, latest dates only).
"""

from collections.abc import Callable
from typing import Any

import dagster as dg

from valuation_platform.lib.metadata import materialized, merged, table_metadata
from valuation_platform.lib.partitions import INDIA_TRADING_DAYS
from valuation_platform.lib.policies import NETWORK_RETRY, asset_defaults
from valuation_platform.lib.resources import SourcesResource, WarehouseResource
from valuation_platform.lib.sources import source_outcome
from valuation_platform.pipelines.trading.calendar import load_corporate_calendar
from valuation_platform.pipelines.trading.deals import load_bulk_block_deals
from valuation_platform.pipelines.trading.flows import load_institutional_flows
from valuation_platform.pipelines.trading.insider import load_insider_trades
from valuation_platform.pipelines.trading.nsdl import load_fpi_investment
from valuation_platform.pipelines.trading.symbols import load_symbol_master
from valuation_platform.warehouse.tables.trading import (
    NSDL_FPI_INVESTMENT,
    NSE_BULK_BLOCK_DEALS,
    NSE_CORPORATE_EVENTS,
    NSE_EQUITY_LIST,
    NSE_INDEX_CONSTITUENTS,
    NSE_INSIDER_TRADES,
    NSE_INSTITUTIONAL_FLOWS,
)
from valuation_platform.warehouse.tables import TableSpec

DailyStep = Callable[..., dict[str, Any]]  # (conn, client, partition_keys, *, asset_key) -> report
SNAPSHOT = asset_defaults("trading", network=True)
SNAPSHOT_SPEC = {k: v for k, v in SNAPSHOT.items() if k != "retry_policy"}  # per spec of the multi-asset
DAILY = asset_defaults("trading", partitions_def=INDIA_TRADING_DAYS, network=True)


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            "nse_equity_list",
            description=(
                "NSE symbol master: EQUITY_L.csv, every listed equity with its series, ISIN, market lot and face "
                "value, into raw.nse_equity_list. A snapshot: delisted symbols leave; rows that break the layout "
                "are quarantined, the rest land."
            ),
            metadata=table_metadata(NSE_EQUITY_LIST),
            **SNAPSHOT_SPEC,
        ),
        dg.AssetSpec(
            "nse_index_constituents",
            description=(
                "NIFTY 50, NIFTY NEXT 50 and NIFTY 500 constituent lists (industry, index membership) into "
                "raw.nse_index_constituents, replaced per index; loaded in the same step as EQUITY_L.csv."
            ),
            metadata=table_metadata(NSE_INDEX_CONSTITUENTS),
            **SNAPSHOT_SPEC,
        ),
    ],
    retry_policy=NETWORK_RETRY,
    can_subset=False,
)
def nse_symbol_master(sources: SourcesResource, warehouse: WarehouseResource):
    with source_outcome(), warehouse.connect([NSE_EQUITY_LIST, NSE_INDEX_CONSTITUENTS]) as conn:
        report = load_symbol_master(conn, sources.client, asset_key="nse_equity_list")
    members = report.pop("index_constituents")
    yield dg.MaterializeResult(asset_key="nse_equity_list", metadata=merged(report))
    yield dg.MaterializeResult(asset_key="nse_index_constituents", metadata=merged(members))


def _daily_asset(name: str, step: DailyStep, table: TableSpec, description: str) -> dg.AssetsDefinition:
    """A session-partitioned NSE asset: the step fetches the run's sessions and loads ``table``."""

    @dg.asset(name=name, description=description, **DAILY)
    def _daily(
        context: dg.AssetExecutionContext, sources: SourcesResource, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        with source_outcome(), warehouse.connect([table]) as conn:
            return materialized(step(conn, sources.client, context.partition_keys, asset_key=name))

    return _daily


nse_corporate_events = _daily_asset(
    "nse_corporate_events", load_corporate_calendar, NSE_CORPORATE_EVENTS,
    "NSE corporate calendar of the session: board meetings, financial results and corporate actions from the "
    "corporate-board-meetings, corporates-financial-results and corporates-corporateActions APIs, one row per "
    "event in raw.nse_corporate_events (upserted: NSE lists an event again on later days).",
)
nse_insider_trades = _daily_asset(
    "nse_insider_trades", load_insider_trades, NSE_INSIDER_TRADES,
    "SEBI PIT (Reg. 7(2)) insider-trading disclosures NSE broadcast in the session, from its CSV export "
    "(/api/corporates-pit?csv=true), into raw.nse_insider_trades, replaced per session. Rows that break the "
    "layout are quarantined with their line, the rest land.",
)
nse_bulk_block_deals = _daily_asset(
    "nse_bulk_block_deals", load_bulk_block_deals, NSE_BULK_BLOCK_DEALS,
    "NSE bulk and block deals of the session from the historical deals API (optionType bulk_deals and "
    "block_deals) into raw.nse_bulk_block_deals, replaced per session and deal type.",
)


LatestStep = Callable[..., dict[str, Any]]  # (conn, client, *, asset_key) -> report


def _latest_asset(name: str, step: LatestStep, table: TableSpec, description: str) -> dg.AssetsDefinition:
    """An unpartitioned asset over a report that lists only its latest date(s): each run upserts what it lists."""

    @dg.asset(name=name, description=description, **SNAPSHOT)
    def _latest(sources: SourcesResource, warehouse: WarehouseResource) -> dg.MaterializeResult:
        with source_outcome(), warehouse.connect([table]) as conn:
            return materialized(step(conn, sources.client, asset_key=name))

    return _latest


nse_institutional_flows = _latest_asset(
    "nse_institutional_flows", load_institutional_flows, NSE_INSTITUTIONAL_FLOWS,
    "FII/FPI and DII buy, sell and net values (Rs crore) from NSE's FII/DII trading-activity report "
    "(/api/fiidiiTradeReact), one row per session and category in raw.nse_institutional_flows. The API "
    "answers the latest session only, so the history is what the daily runs keep; records whose net is "
    "not buy - sell are quarantined.",
)
nsdl_fpi_investment = _latest_asset(
    "nsdl_fpi_investment", load_fpi_investment, NSDL_FPI_INVESTMENT,
    "FPI gross purchases, sales and net investment (Rs crore, and US$ million at NSDL's conversion rate) per "
    "reporting date, asset class and investment route from NSDL's Daily Trends in FPI Investment page "
    "(www.fpi.nsdl.co.in/web/Reports/Latest.aspx), the depository view of the flows, into "
    "raw.nsdl_fpi_investment. The page lists the latest dates only, so the history is what the daily runs "
    "keep; a date whose route rows do not add up to its Sub-total or Total is quarantined, as is a row "
    "whose net is not purchases - sales.",
)


TRADING_INGESTION = [nse_symbol_master, nse_corporate_events, nse_institutional_flows, nse_insider_trades,
                     nse_bulk_block_deals, nsdl_fpi_investment]
