"""Per-contract implied vol and Greeks (``analytics.option_contracts_enriched``), and how the later
steps read them back: one partition at a time, with the raw fields the chain metrics need."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import psycopg

from valuation_platform.analytics.options.chain_metrics import enrich_chain
from valuation_platform.pipelines.options.frames import read_frame, write_partitions
from valuation_platform.pipelines.options.markets import DEFAULT_DIVIDEND_YIELDS, DEFAULT_RATES, MARKETS
from valuation_platform.pipelines.report import Chart, Json, merge
from valuation_platform.warehouse.tables.options import OPTION_CONTRACTS_ENRICHED

RAW_QUERY = """
select underlying, market, snapshot_ts, trade_date, expiry, strike, option_type,
       last_price, bid, ask, volume, open_interest, underlying_price
from raw.option_chain_snapshots
where _partition_key = %s
order by underlying, snapshot_ts, expiry, strike, option_type
"""

# The enriched contracts of a partition with the raw fields the chain metrics need, named as
# analytics/options names them. ``{last_of_day}`` optionally keeps each trading day's last snapshot.
ENRICHED_QUERY = """
select e.underlying, e.market, e.snapshot_ts, e.trade_date, e.expiry, e.strike, e.option_type,
       e.underlying_price, e.time_to_expiry as t_years, e.risk_free_rate as rate, e.dividend_yield,
       e.forward, e.quote_price as price, e.iv, e.iv_status, e.delta, e.gamma, e.theta, e.vega, e.rho,
       r.open_interest, r.volume
from analytics.option_contracts_enriched e
join raw.option_chain_snapshots r using (underlying, snapshot_ts, expiry, strike, option_type)
where e._partition_key = %s {last_of_day}
order by e.underlying, e.snapshot_ts, e.expiry, e.strike, e.option_type
"""
LAST_OF_DAY = """
  and (e.underlying, e.trade_date, e.snapshot_ts) in (
      select underlying, trade_date, max(snapshot_ts) from analytics.option_contracts_enriched
      where _partition_key = %s group by underlying, trade_date)
"""

ENRICHED_RENAMES = {"t_years": "time_to_expiry", "rate": "risk_free_rate", "price": "quote_price"}


@dataclass(frozen=True)
class PricingInputs:
    """Continuous risk-free rate per market and dividend yield per underlying (unlisted: the default)."""

    rates: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_RATES))
    dividend_yields: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_DIVIDEND_YIELDS))
    default_dividend_yield: float = 0.0


def read_enriched(conn: psycopg.Connection, partition_key: str, *, last_of_day: bool = False) -> pd.DataFrame:
    if last_of_day:
        query = ENRICHED_QUERY.format(last_of_day=LAST_OF_DAY)
        return read_frame(conn, query, (partition_key, partition_key))
    return read_frame(conn, ENRICHED_QUERY.format(last_of_day=""), (partition_key,))


def enrich(raw: pd.DataFrame, pricing: PricingInputs) -> pd.DataFrame:
    """IV and Greeks for raw contracts, each market with its own rate, expiry close and time zone."""
    parts = []
    for market, group in raw.groupby("market", sort=True):
        spec = MARKETS[str(market)]
        q = group["underlying"].map(
            lambda u: pricing.dividend_yields.get(u, pricing.default_dividend_yield)).to_numpy(float)
        parts.append(
            enrich_chain(group, rate=pricing.rates[str(market)], dividend_yield=q,
                         expiry_time=spec.expiry_time, tz=spec.tz)
        )
    if not parts:
        return raw.assign(**{c: [] for c in ENRICHED_RENAMES.values()})
    return pd.concat(parts, ignore_index=True).rename(columns=ENRICHED_RENAMES)


def enrich_contracts(
    conn: psycopg.Connection, partition_keys: Sequence[str], pricing: PricingInputs
) -> dict[str, Any]:
    """The step: every contract of the run's partitions with its IV status, IV and Greeks."""
    statuses: dict[str, int] = {}
    last: list[pd.DataFrame] = []

    def compute(conn: psycopg.Connection, key: str) -> pd.DataFrame:
        frame = enrich(read_frame(conn, RAW_QUERY, (key,)), pricing)
        last[:] = [frame]
        for status, n in frame["iv_status"].value_counts().items() if len(frame) else []:
            statuses[str(status)] = statuses.get(str(status), 0) + int(n)
        return frame

    report = write_partitions(conn, OPTION_CONTRACTS_ENRICHED, partition_keys, compute, source="analytics:bsm")
    chart = chain_chart(last[0]) if last else None
    return merge(report, {f"iv_status/{k}": v for k, v in sorted(statuses.items())},
                 {"rates": Json(dict(pricing.rates))}, {"iv_smile_and_open_interest": chart} if chart else {})


def chain_chart(frame: pd.DataFrame) -> Chart | None:
    """One chain for the asset page: the first underlying of the run's last partition, its latest snapshot,
    its nearest expiry."""
    if frame.empty:
        return None
    underlying = sorted(frame["underlying"].unique())[0]
    chain = frame[frame["underlying"] == underlying]
    chain = chain[chain["snapshot_ts"] == chain["snapshot_ts"].max()]
    chain = chain[chain["expiry"] == chain["expiry"].min()].sort_values("strike")
    spot = chain["underlying_price"].dropna()
    data = {
        "strike": chain["strike"].astype(float).tolist(),
        "option_type": chain["option_type"].astype(str).tolist(),
        "iv": [None if pd.isna(v) else float(v) for v in chain["iv"]],
        "open_interest": [0 if pd.isna(v) else int(v) for v in chain["open_interest"]],
        "spot": [float(spot.iloc[0])] if len(spot) else [],
    }
    return Chart("option_chain", f"{underlying} expiring {chain['expiry'].iloc[0]}: IV smile, open interest", data)
