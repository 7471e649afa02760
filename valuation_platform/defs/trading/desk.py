"""The trading desk's settings resource: where its landing folder is (VP_TRADING_LANDING, via dg.EnvVar)."""

import os
from pathlib import Path

import dagster as dg

from valuation_platform.pipelines.trading.desk_files import landing_path


class TradingDeskResource(dg.ConfigurableResource):
    """``landing_dir`` (VP_TRADING_LANDING): unset = ``<VP_SOURCE_ROOT>/landing/trading`` for a local mirror,
    else ``data/landing/trading``."""

    landing_dir: str | None = None

    def landing(self, source_root: str | None) -> Path:
        return landing_path(self.landing_dir, source_root)


@dg.definitions
def trading_desk_resources() -> dg.Definitions:
    landing = dg.EnvVar("VP_TRADING_LANDING") if os.environ.get("VP_TRADING_LANDING") else None
    return dg.Definitions(resources={"trading_desk": TradingDeskResource(landing_dir=landing)})


def table_specs(defaults: dict, tables: dict[str, str], deps: list) -> list[dg.AssetSpec]:
    """One spec per table a step writes (``{table: description}``), with the domain's group, owner and kinds
    (a multi-asset takes them per spec)."""
    shared = {k: defaults[k] for k in ("group_name", "owners", "kinds")}
    return [dg.AssetSpec(name, deps=deps, description=text, **shared) for name, text in tables.items()]


def results(reports: dict):
    """A multi-asset's materializations, one per table report."""
    from valuation_platform.lib.metadata import merged

    for key, report in reports.items():
        yield dg.MaterializeResult(asset_key=key, metadata=merged(report))
