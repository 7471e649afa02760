"""From warehouse rows to the options analytics rows: the glue between the tables and analytics/options.

The queries read one partition at a time (a backfill of years never holds more than a day in memory),
and the frames carry the column names the pure functions expect (``t_years``, ``rate``, ``price``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import psycopg

from valuation_platform.analytics.options.chain_metrics import chain_metrics, enrich_chain, iv_rank_percentile
from valuation_platform.analytics.options.strategies import strategy_rows
from valuation_platform.analytics.options.term_structure import atm_iv_by_snapshot
from valuation_platform.pipelines.options.chains import MARKETS, read_frame

IV_HISTORY_DAYS = timedelta(weeks=52)

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


def read_enriched(conn: psycopg.Connection, partition_key: str, *, last_of_day: bool = False) -> pd.DataFrame:
    if last_of_day:
        query = ENRICHED_QUERY.format(last_of_day=LAST_OF_DAY)
        return read_frame(conn, query, (partition_key, partition_key))
    return read_frame(conn, ENRICHED_QUERY.format(last_of_day=""), (partition_key,))


def enrich(
    raw: pd.DataFrame,
    *,
    rates: Mapping[str, float],
    dividend_yields: Mapping[str, float],
    default_dividend_yield: float,
) -> pd.DataFrame:
    """IV and Greeks for raw contracts, each market with its own rate, expiry close and time zone."""
    parts = []
    for market, group in raw.groupby("market", sort=True):
        spec = MARKETS[str(market)]
        q = group["underlying"].map(lambda u: dividend_yields.get(u, default_dividend_yield)).to_numpy(float)
        parts.append(
            enrich_chain(
                group, rate=rates[str(market)], dividend_yield=q, expiry_time=spec.expiry_time, tz=spec.tz
            )
        )
    if not parts:
        return raw.assign(**{c: [] for c in ENRICHED_RENAMES.values()})
    return pd.concat(parts, ignore_index=True).rename(columns=ENRICHED_RENAMES)


def _snapshot_days(frame: pd.DataFrame) -> dict[tuple[Any, Any], tuple[str, date]]:
    """``(underlying, snapshot_ts) -> (market, trade_date)``."""
    firsts = frame.groupby(["underlying", "snapshot_ts"], sort=False)[["market", "trade_date"]].first()
    return {key: (row.market, row.trade_date) for key, row in firsts.iterrows()}


def history_rows(last_snapshots: pd.DataFrame) -> list[dict[str, Any]]:
    """One ATM-IV history row per (underlying, trading day) from each day's last snapshot."""
    if last_snapshots.empty:
        return []
    days = _snapshot_days(last_snapshots)
    return [
        {"underlying": u, "trade_date": days[(u, ts)][1], "snapshot_ts": ts, **value}
        for (u, ts), value in atm_iv_by_snapshot(chain_metrics(last_snapshots)).items()
    ]


def summary_rows(enriched: pd.DataFrame, history: pd.DataFrame) -> list[dict[str, Any]]:
    """``chain_metrics`` rows plus the snapshot's 30-day ATM IV and its 52-week rank and percentile.

    ``history``: columns underlying, trade_date, atm_iv_30d (our own earlier days; the snapshot's own
    day is excluded by :func:`iv_rank_percentile`).
    """
    if enriched.empty:
        return []
    metrics = chain_metrics(enriched)
    atm = atm_iv_by_snapshot(metrics)
    days = _snapshot_days(enriched)
    by_underlying = {u: g for u, g in history.groupby("underlying")} if not history.empty else {}
    ranks: dict[tuple[Any, Any], dict[str, Any]] = {}
    for (u, ts), value in atm.items():
        past = by_underlying.get(u, history.iloc[0:0])
        ranks[(u, ts)] = iv_rank_percentile(
            past["trade_date"].tolist(),
            pd.to_numeric(past["atm_iv_30d"], errors="coerce").to_numpy(dtype=np.float64),
            value["atm_iv_30d"],
            days[(u, ts)][1],
        )
    rows = []
    for m in metrics:
        key = (m["underlying"], m["snapshot_ts"])
        market, day = days[key]
        rank = ranks[key]
        rows.append(
            {
                **m,
                "market": market,
                "trade_date": day,
                "time_to_expiry": m["t_years"],
                "atm_iv_30d": atm[key]["atm_iv_30d"],
                "iv_rank_52w": rank["iv_rank"],
                "iv_percentile_52w": rank["iv_percentile"],
                "iv_history_days": rank["n_observations"],
            }
        )
    return rows


def history_window(enriched: pd.DataFrame) -> tuple[list[str], date, date]:
    """Underlyings and the ``[start, end)`` trading-day range of history the summary needs."""
    days = enriched["trade_date"]
    return sorted(enriched["underlying"].unique()), min(days) - IV_HISTORY_DAYS, max(days)


SIDE_LABELS = {"CE": "C", "PE": "P"}  # legs speak the marts' C/P, whatever the source wrote


def strategies(enriched: pd.DataFrame) -> list[dict[str, Any]]:
    """``strategy_rows`` with the market and the legs/breakevens as JSON text (jsonb columns)."""
    if enriched.empty:
        return []
    market = dict(zip(enriched["underlying"], enriched["market"], strict=True))
    out = []
    for row in strategy_rows(enriched):
        legs = [leg | {"option_type": SIDE_LABELS.get(leg["option_type"], leg["option_type"])} for leg in row["legs"]]
        out.append(row | {"market": market[row["underlying"]], "legs": json.dumps(legs),
                          "breakevens": json.dumps(row["breakevens"])})
    return out
