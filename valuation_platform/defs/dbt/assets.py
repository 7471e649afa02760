"""Every dbt model, seed and test as Dagster assets and asset checks."""


import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from valuation_platform.lib.dbt import DBT_POOL, DBT_PROJECT, TRANSLATOR
from valuation_platform.lib.resources import WarehouseResource

DBT_PROJECT.prepare_if_dev()  # `dagster dev` re-parses the project; elsewhere `vp prepare` does


@dbt_assets(manifest=DBT_PROJECT.manifest_path, project=DBT_PROJECT, dagster_dbt_translator=TRANSLATOR,
            pool=DBT_POOL)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    warehouse.export_dbt_env()
    # unit tests run in CI (tests/dbt), not on every production build
    # row counts and column types of what each model built, read back from the warehouse after the build
    yield from (dbt.cli(["build", "--exclude-resource-type", "unit_test"], context=context).stream()
                .fetch_row_counts().fetch_column_metadata())
