"""SEC EDGAR ingestion: tickers -> US universe -> companyfacts per company (dynamic partitions)."""

import dagster as dg

from valuation_platform.lib.metadata import materialized
from valuation_platform.lib.partitions import SEC_COMPANIES
from valuation_platform.lib.policies import asset_defaults
from valuation_platform.lib.resources import SourcesResource, WarehouseResource
from valuation_platform.lib.sources import source_outcome
from valuation_platform.pipelines.sec.companyfacts import load_companyfacts
from valuation_platform.pipelines.sec.universe import load_company_tickers, load_universe
from valuation_platform.warehouse.tables.sec import SEC_COMPANY_TICKERS, SEC_COMPANYFACTS, US_UNIVERSE


@dg.asset(
    description="SEC company_tickers.json: every registrant ticker with its CIK.",
    **asset_defaults("sec", network=True),
)
def sec_company_tickers(sources: SourcesResource, warehouse: WarehouseResource) -> dg.MaterializeResult:
    with source_outcome(), warehouse.connect([SEC_COMPANY_TICKERS]) as conn:
        return materialized(load_company_tickers(conn, sources.client))


@dg.asset(
    deps=[sec_company_tickers],
    description=(
        "The US universe: tickers joined to each company's submissions profile (name, SIC, exchange, "
        "fiscal year end). VP_TICKERS limits it; unset, every ticker with a submissions document in the "
        "mirror, or live every exchange-listed company. Registers one sec_companies partition per ticker."
    ),
    **asset_defaults("sec", network=True),
)
def us_universe(
    context: dg.AssetExecutionContext, sources: SourcesResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    with source_outcome(), warehouse.connect([SEC_COMPANY_TICKERS, US_UNIVERSE]) as conn:
        load = load_universe(conn, sources.client, sources.ticker_filter)
    existing = set(context.instance.get_dynamic_partitions(SEC_COMPANIES.name))
    new_keys = [k for k in load.tickers if k not in existing]
    if new_keys:
        context.instance.add_dynamic_partitions(SEC_COMPANIES.name, new_keys)
    for error in load.errors:
        context.log.warning(f"quarantined: {error}")
    return materialized({**load.report, "new_partitions": len(new_keys)})


@dg.asset(
    deps=[us_universe],
    description=(
        "XBRL companyfacts per company, long form with point-in-time fields (period start/end, fy, fp, "
        "form, filed, accession). A full refresh is one run; any company re-runs alone. Bad documents are "
        "quarantined in raw.quarantine and listed in this metadata; the rest still land."
    ),
    **asset_defaults("sec", partitions_def=SEC_COMPANIES, network=True),
)
def sec_companyfacts(
    context: dg.AssetExecutionContext, sources: SourcesResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    with source_outcome(), warehouse.connect([US_UNIVERSE, SEC_COMPANYFACTS]) as conn:
        report = load_companyfacts(conn, sources.client, context.partition_keys)
    for error in report.pop("errors"):
        context.log.warning(f"quarantined: {error}")
    return materialized(report)
