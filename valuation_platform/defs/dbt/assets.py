"""Every dbt model, seed and test as Dagster assets and asset checks, split by selection (as
dagster-open-platform does): the large daily facts (``tag:daily``) are incremental on their market's
daily partitions, so a run builds only its window; the rest is built whole, unpartitioned.

Daily models sit on three calendars: US sessions (prices, indicators, news, scores), the options calendar
(``tag:options_daily``, every weekday in UTC: NSE and US chains) and India sessions (``tag:india_daily``,
weekdays in Asia/Kolkata: the India valuations). One dbt asset holds one partitions definition, hence one
asset per calendar.

``get_asset_key_for_model([dbt_models], name)`` finds any model's key (it reads the whole manifest), so
assets and checks of other domains keep naming ``dbt_models`` whichever of the three holds the model.
"""

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from valuation_platform.lib.dbt import DBT_POOL, DBT_PROJECT, TRANSLATOR, window_vars, with_pictures
from valuation_platform.lib.partitions import INDIA_TRADING_DAYS, OPTIONS_DAILY, US_TRADING_DAYS
from valuation_platform.lib.resources import WarehouseResource
from valuation_platform.pipelines.scores import pictures as scores_pictures

DBT_PROJECT.prepare_if_dev()  # `dagster dev` re-parses the project; elsewhere `vp prepare` does

DAILY = "tag:daily"
OPTIONS_CALENDAR = "tag:options_daily"
INDIA_CALENDAR = "tag:india_daily"  # India sessions (valuations): weekdays in Asia/Kolkata
# unit tests run in CI (tests/dbt), not on every production build
BUILD = ["build", "--exclude-resource-type", "unit_test"]


# pictures drawn from a mart right after dbt built it, on that mart's own materialization
MART_PICTURES = {
    "mart_ic_score_leaders": scores_pictures.leaders_history,
    "fct_ic_score_quality": scores_pictures.quintile_returns,
}


def _build(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource, args: list[str]):
    warehouse.export_dbt_env()
    # row counts and column types of what each model built, read back from the warehouse after the build
    events = dbt.cli([*BUILD, *args], context=context).stream().fetch_row_counts().fetch_column_metadata()
    yield from with_pictures(events, MART_PICTURES, warehouse.connect)


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    dagster_dbt_translator=TRANSLATOR,
    exclude=DAILY,
    pool=DBT_POOL,
)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    yield from _build(context, dbt, warehouse, [])


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    dagster_dbt_translator=TRANSLATOR,
    select=DAILY,
    exclude=f"{OPTIONS_CALENDAR} {INDIA_CALENDAR}",
    partitions_def=US_TRADING_DAYS,
    backfill_policy=dg.BackfillPolicy.single_run(),  # a year's backfill is one dbt run over its window
    name="dbt_daily_models",
    pool=DBT_POOL,
)
def dbt_daily_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    yield from _build(context, dbt, warehouse, window_vars(context))


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    dagster_dbt_translator=TRANSLATOR,
    select=OPTIONS_CALENDAR,
    partitions_def=OPTIONS_DAILY,
    backfill_policy=dg.BackfillPolicy.single_run(),
    name="dbt_options_daily_models",
    pool=DBT_POOL,
)
def dbt_options_daily_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    yield from _build(context, dbt, warehouse, window_vars(context))


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    dagster_dbt_translator=TRANSLATOR,
    select=INDIA_CALENDAR,
    partitions_def=INDIA_TRADING_DAYS,
    backfill_policy=dg.BackfillPolicy.single_run(),
    name="dbt_india_daily_models",
    pool=DBT_POOL,
)
def dbt_india_daily_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    yield from _build(context, dbt, warehouse, window_vars(context))
