"""The valuation-driver hierarchy (MACRO -> GROUP -> SUBGROUP -> COMPANY) with current values."""


from collections import Counter
from datetime import UTC, datetime

import dagster as dg

from valuation_platform.lib.metadata import merged
from dagster_dbt import get_asset_key_for_model

from valuation_platform.analytics.india.driver_hierarchy import REFERENCE_TABLES, UPDATED_BY
from valuation_platform.defs.dbt.assets import dbt_models
from valuation_platform.lib.india_defaults import COMMON
from valuation_platform.pipelines.india.drivers import build_drivers, known_series, validate_rows
from valuation_platform.pipelines.report import load_report, merge, table_report
from valuation_platform.lib.resources import WarehouseResource
from valuation_platform.warehouse.tables.india import INDIA_DRIVERS
from valuation_platform.warehouse.upsert import upsert

UPSTREAM = [
    get_asset_key_for_model([dbt_models], name)
    for name in ("fct_macro_series", "dim_india_company", *(f"india_{t}" for t in REFERENCE_TABLES))
]


class DriverRebuildConfig(dg.Config):
    """What triggered the rebuild: stamped on series-linked drivers whose value changed."""

    updated_by: str = "macro_sync"


@dg.asset(
    deps=UPSTREAM,
    description=(
        "Every valuation driver with its current value: the MACRO drivers, GROUP drivers (DEMAND/COST/"
        "REGULATORY plus unweighted MACRO_SIGNAL drivers from india_macro_metadata), SUBGROUP drivers and "
        "COMPANY drivers of universe companies with an alpha config. Series-linked drivers read the latest "
        "values of marts.fct_macro_series (level, or year-on-year change) and get a direction against the "
        "previous observation; curated drivers take their seed values. updated_at/updated_by move only "
        "when value, weight or direction change, so the snp_india_drivers snapshot and "
        "fct_driver_changelog record real changes only."
    ),
    **COMMON,
)
def india_drivers(context: dg.AssetExecutionContext, config: DriverRebuildConfig, warehouse: WarehouseResource):
    if config.updated_by not in UPDATED_BY:
        raise dg.Failure(description=f"updated_by {config.updated_by!r} not in {sorted(UPDATED_BY)}")
    with warehouse.connect([INDIA_DRIVERS]) as conn:
        rows, reference, universe, changed = build_drivers(conn, now=datetime.now(UTC), updated_by=config.updated_by)
        validation = validate_rows(rows, reference, universe, known_series(conn))
        result = upsert(conn, INDIA_DRIVERS, rows, source="driver_hierarchy")
        with conn.transaction():  # drivers gone from the reference tables (or their company) leave the table
            removed = conn.execute(
                "delete from analytics.india_drivers where not (driver_key = any(%s))", ([r["driver_key"] for r in rows],)
            ).rowcount
        meta = table_report(conn, INDIA_DRIVERS.qualified, order_by="driver_level, driver_key")
    coverage = validation.coverage
    context.log.info(f"{changed} drivers changed, {removed} removed, {len(validation.violations)} violations")
    return dg.MaterializeResult(
        metadata=merged(
            meta,
            load_report([result]),
            {
                "drivers_changed": changed,
                "drivers_removed": removed,
                "drivers_per_level": dg.MetadataValue.json(coverage["drivers_per_level"]),
                "signals_per_level": dg.MetadataValue.json(coverage["signals_per_level"]),
                "companies_per_group": dg.MetadataValue.json(dict(sorted(coverage["companies_per_group"].items()))),
                "companies_full_chain": coverage["companies_full_chain"],
                "companies_total": coverage["companies_total"],
                "subgroups_covered": coverage["subgroups_covered"],
                "series_linked_with_value": coverage["series_linked_with_value"],
                "violations": dg.MetadataValue.json(dict(Counter(v["rule"] for v in validation.violations))),
            },
        )
    )
