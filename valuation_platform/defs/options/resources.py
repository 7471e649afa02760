"""The options settings resource, from the environment through ``dg.EnvVar`` (resolved at run time)."""

import os
from collections.abc import Sequence

import dagster as dg

from valuation_platform.pipelines.options.markets import Market
from valuation_platform.pipelines.options.snapshots import SnapshotRequest
from valuation_platform.pipelines.options.underlyings import LiquidityRule, UnderlyingsSetting


class OptionsResource(dg.ConfigurableResource):
    """Which option chains the snapshot assets fetch.

    ``underlyings`` (``VP_OPTION_UNDERLYINGS``): markets separated by ``;``, symbols by ``,``, e.g.
    ``NSE:NIFTY,BANKNIFTY,RELIANCE;US:AAPL,MSFT``. A market listed with symbols fetches exactly those; a
    market listed empty (``US:``) fetches none; a market left out takes its default: NSE's index options
    (NIFTY, BANKNIFTY, FINNIFTY, MIDCPNIFTY), and for the US the universe's liquid tickers: those of
    ``raw.us_universe`` (narrowed by ``VP_TICKERS``) averaging at least ``us_min_avg_dollar_volume``
    (close x volume) over the last ``us_liquidity_sessions`` sessions of ``raw.polygon_daily_bars``, the
    ``us_top_n`` highest (see :mod:`valuation_platform.pipelines.options.underlyings`).
    """

    underlyings: str | None = None
    us_top_n: int = LiquidityRule.top_n
    us_min_avg_dollar_volume: float = LiquidityRule.min_avg_dollar_volume
    us_liquidity_sessions: int = LiquidityRule.sessions

    @property
    def setting(self) -> UnderlyingsSetting:
        return UnderlyingsSetting.parse(self.underlyings)

    @property
    def liquidity(self) -> LiquidityRule:
        return LiquidityRule(self.us_top_n, self.us_min_avg_dollar_volume, self.us_liquidity_sessions)

    def snapshot_request(
        self, market: Market, partition_keys: Sequence[str], ticker_filter: list[str], polygon_api_key: str | None
    ) -> SnapshotRequest:
        """What ``<market>_option_chain_snapshots`` asks of the snapshot step for these partitions."""
        return SnapshotRequest(
            market=market, partition_keys=list(partition_keys), setting=self.setting,
            asset_key=f"{market}_option_chain_snapshots", ticker_filter=ticker_filter,
            liquidity=self.liquidity, polygon_api_key=polygon_api_key,
        )


@dg.definitions
def options_resources() -> dg.Definitions:
    # Only whether the variable is set is looked at here; Dagster resolves its value at run time.
    underlyings = dg.EnvVar("VP_OPTION_UNDERLYINGS") if os.environ.get("VP_OPTION_UNDERLYINGS") else None
    return dg.Definitions(resources={"options": OptionsResource(underlyings=underlyings)})
