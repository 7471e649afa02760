"""Resources for every asset. Values come from the environment through dg.EnvVar, resolved at run time."""


import os

import dagster as dg
from valuation_platform.lib.dbt import DBT_PROJECT, PlatformDbtCliResource
from valuation_platform.lib.resources import SourcesResource, WarehouseResource


def _env(name: str) -> dg.EnvVar | None:
    # Only whether the variable is set is looked at here; its value is resolved by Dagster at run time.
    return dg.EnvVar(name) if os.environ.get(name) else None


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "warehouse": WarehouseResource(database_url=_env("VP_DATABASE_URL")),
            "sources": SourcesResource(
                source_root=_env("VP_SOURCE_ROOT"),
                sec_user_agent=_env("VP_SEC_USER_AGENT"),
                polygon_api_key=_env("VP_POLYGON_API_KEY"),
                benzinga_api_key=_env("VP_BENZINGA_API_KEY"),
                tickers=_env("VP_TICKERS"),
                benchmark_tickers=_env("VP_BENCHMARK_TICKERS"),
            ),
            "dbt": PlatformDbtCliResource(project_dir=DBT_PROJECT),
        }
    )
