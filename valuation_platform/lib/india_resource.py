"""The India settings resource: landing folder, universe target and market-export share."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

REPO = Path(__file__).resolve().parents[2]
DEFAULT_LANDING = REPO / "data" / "landing" / "india"
DEFAULT_TARGET = 1000


class IndiaResource(dg.ConfigurableResource):
    """Values arrive through ``dg.EnvVar`` (see ``defs/india/resources.py``), resolved at run time.

    * ``landing_dir`` (VP_INDIA_LANDING): the folder analysts drop files into. Unset: ``<source
      root>/landing/india`` when VP_SOURCE_ROOT is a local mirror directory (the bundled sample keeps its
      landing files there), else ``<repo>/data/landing/india``.
    * ``universe_target`` (VP_INDIA_TARGET): how many companies the universe selects (default 1,000).
    * ``market_base_url`` (VP_INDIA_MARKET_BASE_URL): the share the market indicator exports are published
      on. No default: the exports have no public host. Unset, ``india_market_indicators`` reports "not
      configured" and the files arrive through the landing folder's ``market/`` area instead.
    """

    landing_dir: str | None = None
    universe_target: int = DEFAULT_TARGET
    market_base_url: str | None = None

    def landing_path(self, source_root: str | None) -> Path:
        if self.landing_dir:
            return Path(self.landing_dir)
        if source_root and not source_root.startswith(("http://", "https://")) and Path(source_root).is_dir():
            return Path(source_root) / "landing" / "india"
        return DEFAULT_LANDING
