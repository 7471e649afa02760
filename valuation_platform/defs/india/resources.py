"""The India settings resource, from the environment through dg.EnvVar (resolved at run time)."""


import os

import dagster as dg

from valuation_platform.lib.india_resource import DEFAULT_TARGET, IndiaResource


def _is_set(name: str) -> bool:
    # Only whether the variable is set is looked at here; Dagster resolves its value at run time.
    return bool(os.environ.get(name))


@dg.definitions
def india_resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "india": IndiaResource(
                landing_dir=dg.EnvVar("VP_INDIA_LANDING") if _is_set("VP_INDIA_LANDING") else None,
                universe_target=(
                    dg.EnvVar.int("VP_INDIA_TARGET") if _is_set("VP_INDIA_TARGET") else DEFAULT_TARGET
                ),
                market_base_url=(
                    dg.EnvVar("VP_INDIA_MARKET_BASE_URL") if _is_set("VP_INDIA_MARKET_BASE_URL") else None
                ),
            )
        }
    )
