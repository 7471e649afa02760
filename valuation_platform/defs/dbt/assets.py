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
from dagster_dbt import get_asset_key_for_model

from valuation_platform.lib.dbt import DBT_PROJECT, build_dbt_assets
from valuation_platform.lib.partitions import INDIA_TRADING_DAYS, OPTIONS_DAILY, US_TRADING_DAYS
from valuation_platform.pipelines.scores import pictures as scores_pictures

DBT_PROJECT.prepare_if_dev()  # `dagster dev` re-parses the project; elsewhere `vp prepare` does

DAILY = "tag:daily"
OPTIONS_CALENDAR = "tag:options_daily"
INDIA_CALENDAR = "tag:india_daily"  # India sessions (valuations): weekdays in Asia/Kolkata

# pictures drawn from a mart right after dbt built it, on that mart's own materialization
MART_PICTURES = {
    "mart_ic_score_leaders": scores_pictures.leaders_history,
    "fct_ic_score_quality": scores_pictures.quintile_returns,
}

dbt_models = build_dbt_assets("dbt_models", exclude=DAILY, pictures=MART_PICTURES)
dbt_daily_models = build_dbt_assets(
    "dbt_daily_models", select=DAILY, exclude=f"{OPTIONS_CALENDAR} {INDIA_CALENDAR}", partitions_def=US_TRADING_DAYS,
    pictures=MART_PICTURES)
dbt_options_daily_models = build_dbt_assets("dbt_options_daily_models", select=OPTIONS_CALENDAR, partitions_def=OPTIONS_DAILY)
dbt_india_daily_models = build_dbt_assets("dbt_india_daily_models", select=INDIA_CALENDAR, partitions_def=INDIA_TRADING_DAYS)


def marts(*names: str) -> dg.AssetSelection:
    """The named dbt models and the intermediate tables upstream of them, for a job that rebuilds those marts:
    an intermediate is a table derived for its marts and no job rebuilds it on its own (staging views read
    their tables live; seeds change with the code)."""
    named = dg.AssetSelection.assets(*(get_asset_key_for_model([dbt_models], name) for name in names))
    return named | (named.upstream() & dg.AssetSelection.tag("layer", "intermediate"))
