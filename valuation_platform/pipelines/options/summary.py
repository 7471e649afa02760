"""Per underlying, snapshot and expiry (``analytics.option_chain_summary``): put-call ratios, max pain,
ATM IV, 25-delta skew, and the 30-day ATM IV's rank and percentile over our own 52-week history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import psycopg

from valuation_platform.analytics.options.chain_metrics import chain_metrics, iv_rank_percentile
from valuation_platform.analytics.options.term_structure import atm_iv_by_snapshot
from valuation_platform.pipelines.options.contracts import read_enriched
from valuation_platform.pipelines.options.frames import read_frame, write_partitions
from valuation_platform.pipelines.options.iv_history import snapshot_days
from valuation_platform.pipelines.report import merge
from valuation_platform.warehouse.tables.options import OPTION_CHAIN_SUMMARY

IV_HISTORY_DAYS = timedelta(weeks=52)
HISTORY_QUERY = """
select underlying, trade_date, atm_iv_30d from analytics.option_atm_iv_history
where underlying = any(%s) and trade_date >= %s and trade_date < %s
"""


def summary_rows(enriched: pd.DataFrame, history: pd.DataFrame) -> list[dict[str, Any]]:
    """``chain_metrics`` rows plus the snapshot's 30-day ATM IV and its 52-week rank and percentile.

    ``history``: columns underlying, trade_date, atm_iv_30d (our own earlier days; the snapshot's own
    day is excluded by :func:`iv_rank_percentile`).
    """
    if enriched.empty:
        return []
    metrics = chain_metrics(enriched)
    atm = atm_iv_by_snapshot(metrics)
    days = snapshot_days(enriched)
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


def summarize_chains(conn: psycopg.Connection, partition_keys: Sequence[str]) -> dict[str, Any]:
    """The step: the summary rows of the run's partitions; reports how many carry an IV rank."""
    ranked = 0

    def compute(conn: psycopg.Connection, key: str) -> list[dict[str, Any]]:
        nonlocal ranked
        enriched = read_enriched(conn, key)
        if enriched.empty:
            return []
        rows = summary_rows(enriched, read_frame(conn, HISTORY_QUERY, history_window(enriched)))
        ranked += sum(1 for row in rows if row["iv_rank_52w"] is not None)
        return rows

    report = write_partitions(conn, OPTION_CHAIN_SUMMARY, partition_keys, compute, source="analytics:chain_metrics")
    return merge(report, {"rows_with_iv_rank": ranked})
