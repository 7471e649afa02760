"""The portfolio settings resource: where the landing folder is (VP_PORTFOLIO_LANDING, via dg.EnvVar)."""

import os
from pathlib import Path

import dagster as dg

from valuation_platform.pipelines.portfolio.landing import landing_path


class PortfolioResource(dg.ConfigurableResource):
    """``landing_dir`` (VP_PORTFOLIO_LANDING): unset = ``<VP_SOURCE_ROOT>/landing/portfolio`` for a local
    mirror, else ``data/landing/portfolio``."""

    landing_dir: str | None = None

    def landing(self, source_root: str | None) -> Path:
        return landing_path(self.landing_dir, source_root)


@dg.definitions
def portfolio_resources() -> dg.Definitions:
    landing = dg.EnvVar("VP_PORTFOLIO_LANDING") if os.environ.get("VP_PORTFOLIO_LANDING") else None
    return dg.Definitions(resources={"portfolio": PortfolioResource(landing_dir=landing)})
