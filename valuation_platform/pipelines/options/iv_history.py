"""Our own daily ATM-IV history (``analytics.option_atm_iv_history``): per underlying and trading day,
the 30-day constant-maturity ATM IV of the day's last snapshot. IV rank is measured against it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd
import psycopg

from valuation_platform.analytics.options.chain_metrics import chain_metrics
from valuation_platform.analytics.options.term_structure import atm_iv_by_snapshot
from valuation_platform.pipelines.options.contracts import read_enriched
from valuation_platform.pipelines.options.frames import write_partitions
from valuation_platform.warehouse.tables.options import OPTION_ATM_IV_HISTORY


def snapshot_days(frame: pd.DataFrame) -> dict[tuple[Any, Any], tuple[str, date]]:
    """``(underlying, snapshot_ts) -> (market, trade_date)``."""
    firsts = frame.groupby(["underlying", "snapshot_ts"], sort=False)[["market", "trade_date"]].first()
    return {key: (row.market, row.trade_date) for key, row in firsts.iterrows()}


def history_rows(last_snapshots: pd.DataFrame) -> list[dict[str, Any]]:
    """One ATM-IV history row per (underlying, trading day) from each day's last snapshot."""
    if last_snapshots.empty:
        return []
    days = snapshot_days(last_snapshots)
    return [
        {"underlying": u, "trade_date": days[(u, ts)][1], "snapshot_ts": ts, **value}
        for (u, ts), value in atm_iv_by_snapshot(chain_metrics(last_snapshots)).items()
    ]


def record_atm_iv_history(conn: psycopg.Connection, partition_keys: Sequence[str]) -> dict[str, Any]:
    """The step: each trading day's ATM-IV row from its last snapshot, for the run's partitions."""
    return write_partitions(
        conn, OPTION_ATM_IV_HISTORY, partition_keys,
        lambda conn, key: history_rows(read_enriched(conn, key, last_of_day=True)),
        source="analytics:atm_iv_history",
    )
