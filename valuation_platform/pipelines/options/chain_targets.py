"""One chain to snapshot: its market, symbol and NSE endpoint, how to fetch it and the names its
documents are filed under (quarantine entries are matched, and released, by those names)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import psycopg

from valuation_platform.pipelines.options.markets import MARKETS, Market
from valuation_platform.pipelines.options.underlyings import nse_endpoint
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.nse import option_chain as nse
from valuation_platform.sources.polygon import options_snapshot as polygon


@dataclass(frozen=True)
class ChainTarget:
    market: Market
    symbol: str
    kind: Literal["indices", "equities"] | None = None  # NSE endpoints only

    @property
    def source(self) -> str:
        return MARKETS[self.market].source

    @property
    def label(self) -> str:
        return f"{self.market}:{self.symbol}"

    def fetch(self, client: HttpClient, polygon_api_key: str | None) -> list[dict[str, Any]]:
        if self.market == "nse":
            return nse.fetch_nse_chain(client, self.symbol, self.kind or "indices")
        return polygon.fetch_polygon_chain(client, self.symbol, polygon_api_key or "")

    @property
    def document(self) -> str:
        """The name the parser files this chain's (first) document under."""
        if self.market == "nse":
            return f"{nse.option_chain_url(self.kind or 'indices')}?symbol={self.symbol}"
        return f"{polygon.snapshot_url(self.symbol)}?limit={polygon.PAGE_LIMIT}"

    def document_pattern(self) -> str:
        """A LIKE pattern matching every document name this chain's errors are filed under."""
        if self.market == "nse":
            return f"%/api/{nse.ENDPOINTS[self.kind or 'indices']}?symbol={self.symbol}"
        return f"%{polygon.HOST}/v3/snapshot/options/{self.symbol.upper()}?%"


def chain_targets(market: Market, symbols: Iterable[str]) -> list[ChainTarget]:
    """The chains of ``symbols`` in ``market`` (NSE: each on the endpoint that serves it)."""
    if market not in MARKETS:
        raise ValueError(f"unknown market {market!r}; use {sorted(MARKETS)}")
    if market == "nse":
        return [ChainTarget("nse", s.upper(), nse_endpoint(s)) for s in symbols]
    return [ChainTarget("us", s.upper()) for s in symbols]


def release_chains(conn: psycopg.Connection, targets: Iterable[ChainTarget], asset_key: str) -> int:
    """Forget quarantine entries of chains that have now loaded (their pages may have several names)."""
    released = 0
    with conn.transaction():
        for target in targets:
            released += conn.execute(
                "delete from raw.quarantine where asset_key = %s and source = %s and document like %s",
                (asset_key, target.source, target.document_pattern()),
            ).rowcount
    return released
