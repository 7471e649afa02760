"""India: the company universe, MOSPI and market macro series by reference month, the files analysts drop
into the landing folder, and the valuation-driver hierarchy built on them (steps: pipelines/india)."""

from datetime import UTC, datetime

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from valuation_platform.analytics.india.driver_hierarchy import REFERENCE_TABLES
from valuation_platform.defs.dbt.assets import dbt_models
from valuation_platform.lib.india_resource import IndiaResource
from valuation_platform.lib.metadata import materialized, merged
from valuation_platform.lib.partitions import INDIA_MACRO_MONTHS
from valuation_platform.lib.policies import INDIA_NETWORK_RETRY, asset_defaults
from valuation_platform.lib.resources import SourcesResource, WarehouseResource
from valuation_platform.lib.sources import source_outcome
from valuation_platform.pipelines.india.drivers import rebuild_drivers
from valuation_platform.pipelines.india.macro import load_landing_macro, sync_market, sync_mospi
from valuation_platform.pipelines.india.universe import load_classification, select_universe
from valuation_platform.warehouse.tables.india import (
    INDIA_CLASSIFICATION,
    INDIA_DRIVERS,
    INDIA_UNIVERSE,
    INDIA_UNIVERSE_REJECTED,
    MACRO_TABLES,
)
from valuation_platform.warehouse.tables.intelligence import INTELLIGENCE_TABLES

MONTHLY = asset_defaults("india", partitions_def=INDIA_MACRO_MONTHS, network=True, retry_policy=INDIA_NETWORK_RETRY)
LOCAL = asset_defaults("india")
UNIVERSE_SEEDS = ("india_sector_group_mapping", "india_company_alpha_configs", "india_valuation_subgroups")
DRIVER_MODELS = ("fct_macro_series", "dim_india_company", *(f"india_{t}" for t in REFERENCE_TABLES))
MAPPING_SEEDS = [get_asset_key_for_model([dbt_models], name) for name in UNIVERSE_SEEDS]
DRIVER_INPUTS = [get_asset_key_for_model([dbt_models], name) for name in DRIVER_MODELS]


# The macro assets ensure all three raw macro tables: the dbt staging models union them whichever ran first.
@dg.asset(
    description=(
        "MOSPI releases from the eSankhyiki API (CPI, IIP, WPI, GDP/GVA quarterly, PLFS), one partition per "
        "reference month: a run fetches each product for the (fiscal) years of its months, and also the "
        "24 months before them that the table does not hold yet (YoY and the drivers' previous values need "
        "them). Revisions are new rows (key series_id, ref_period, released_at); a fetch repeating the "
        "latest value is not stored again. Bad responses are quarantined in raw.quarantine."
    ),
    **MONTHLY,
)
def mospi_releases(
    context: dg.AssetExecutionContext, sources: SourcesResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    with source_outcome(), warehouse.connect(MACRO_TABLES) as conn:
        report = sync_mospi(conn, sources.client, context.partition_keys, fetched_at=datetime.now(UTC))
    return materialized(report)


@dg.asset(
    description=(
        "India market indicators (10y G-sec yield and USD/INR daily closes; RBI repo decisions; PMI, FII/DII "
        "flows and balance of trade monthly) from the exports published under VP_INDIA_MARKET_BASE_URL, one "
        "partition per reference month, with the same history and release rules as mospi_releases. The "
        "exports have no public host: unset, this reports 'not configured' and the files arrive through the "
        "landing folder's market/ area (india_macro_files)."
    ),
    **MONTHLY,
)
def india_market_indicators(
    context: dg.AssetExecutionContext,
    india: IndiaResource,
    sources: SourcesResource,
    warehouse: WarehouseResource,
) -> dg.MaterializeResult:
    with source_outcome(), warehouse.connect(MACRO_TABLES) as conn:
        report = sync_market(conn, sources.client, india.market_base_url, context.partition_keys,
                             fetched_at=datetime.now(UTC))
    return materialized(report)


@dg.asset(
    description=(
        "MOSPI and market CSV files dropped into the India landing folder (VP_INDIA_LANDING; by default "
        "<VP_SOURCE_ROOT>/landing/india for a local mirror, else data/landing/india): mospi/ files are read "
        "by the parser their name starts with (cpi, iip, wpi, nas/gdp/gva, plfs), market/ files by the "
        "market parser. A file without release dates is released at its modification time. The landing "
        "sensor launches this when a file is new or changed; a file that cannot be read is quarantined, "
        "the rest load."
    ),
    **LOCAL,
)
def india_macro_files(
    india: IndiaResource, sources: SourcesResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    with warehouse.connect(MACRO_TABLES) as conn:
        return materialized(load_landing_macro(conn, india.landing_path(sources.source_root),
                                               fetched_at=datetime.now(UTC)))


@dg.asset(
    description=(
        "The company classification workbook (xlsx) or its CSV export from <landing>/classification/: the "
        "newest file is used (a workbook before a CSV of the same time); a file that cannot be read is "
        "quarantined and the next one tried. raw.india_classification holds the rows of the file in use."
    ),
    **LOCAL,
)
def india_classification(
    india: IndiaResource, sources: SourcesResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    with source_outcome(), warehouse.connect([INDIA_CLASSIFICATION]) as conn:
        return materialized(load_classification(conn, india.landing_path(sources.source_root)))


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            "india_universe",
            deps=[india_classification, *MAPPING_SEEDS],
            description=(
                "The balanced India universe: investable companies mapped to valuation groups/subgroups by "
                "the india_sector_group_mapping seed, ranked by market cap weighted by data quality, "
                "VP_INDIA_TARGET (default 1,000) selected with per-group floors and caps; valuation "
                "frequency by size."
            ),
            **LOCAL,
        ),
        dg.AssetSpec(
            "india_universe_rejected",
            deps=[india_classification, *MAPPING_SEEDS],
            description=(
                "Investable companies the universe could not use, each with its reason (no_identifier, "
                "no_sector_mapping, no_market_cap, duplicate_identifier) and its row in the classification "
                "file."
            ),
            **LOCAL,
        ),
    ],
)
def india_universe(india: IndiaResource, warehouse: WarehouseResource):
    tables = [INDIA_CLASSIFICATION, INDIA_UNIVERSE, INDIA_UNIVERSE_REJECTED]
    with source_outcome(), warehouse.connect(tables) as conn:
        universe, rejected = select_universe(conn, india.universe_target)
    yield dg.MaterializeResult(asset_key="india_universe", metadata=merged(universe))
    yield dg.MaterializeResult(asset_key="india_universe_rejected", metadata=merged(rejected))


class DriverRebuildConfig(dg.Config):
    """What triggered the rebuild: stamped on series-linked drivers whose value changed."""

    updated_by: str = "macro_sync"


@dg.asset(
    deps=[*DRIVER_INPUTS, "workbook_edits"],  # the approval gate's decisions and the managers' edits
    description=(
        "Every valuation driver with its current value: the MACRO drivers, GROUP drivers (DEMAND/COST/"
        "REGULATORY plus unweighted MACRO_SIGNAL drivers from india_macro_metadata), SUBGROUP drivers and "
        "COMPANY drivers of universe companies with an alpha config. Series-linked drivers read the latest "
        "values of marts.fct_macro_series (level, or year-on-year change) and get a direction against the "
        "previous observation; curated drivers take their seed values. updated_at/updated_by move only "
        "when value, weight or direction change, so the snp_india_drivers snapshot and "
        "fct_driver_changelog record real changes only. APPROVED discovered drivers (analytics."
        "discovered_drivers) join at their level, updated_by agent_discovery; APPLIED adjustments (analytics."
        "india_driver_adjustments: PM_EDIT, AGENT_ANALYSIS) override their field, latest first, updated_by "
        "pm_edit / agent_analysis (a series-driven value until the series publishes a newer observation)."
    ),
    **LOCAL,
)
def india_drivers(config: DriverRebuildConfig, warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.connect([INDIA_DRIVERS, *INTELLIGENCE_TABLES]) as conn:
        return materialized(rebuild_drivers(conn, now=datetime.now(UTC), updated_by=config.updated_by))
