"""The options wiring rules: snapshot -> partition, when live chains are fetched, typed frames, pruning."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import polars as pl
import pytest

from valuation_platform.pipelines.options.chains import (
    ChainTarget,
    chain_targets,
    partition_for,
    partition_of_day,
    prune_partitions,
    should_fetch,
    spec_frame,
    trading_date,
)
from valuation_platform.lib.partitions import OPTIONS_DAILY
from valuation_platform.warehouse.bootstrap import ensure_tables
from valuation_platform.warehouse.connection import connect
from valuation_platform.warehouse.tables.options import OPTION_STRATEGIES
from valuation_platform.warehouse.upsert import upsert


def test_a_snapshot_belongs_to_its_own_market_date() -> None:
    # 20:00 UTC on Thursday 2026-11-19 is already Friday 01:30 in Mumbai, still Thursday in New York.
    ts = datetime(2026, 11, 19, 20, 0, tzinfo=UTC)
    assert trading_date(ts, "nse") == date(2026, 11, 20) and partition_for(ts, "nse") == "2026-11-20"
    assert trading_date(ts, "us") == date(2026, 11, 19) and partition_for(ts, "us") == "2026-11-19"


def test_weekend_dates_roll_back_to_friday_and_every_key_is_a_partition() -> None:
    assert [partition_of_day(date(2026, 11, d)) for d in (20, 21, 22, 23)] == [
        "2026-11-20", "2026-11-20", "2026-11-20", "2026-11-23"]
    keys = set(OPTIONS_DAILY.get_partition_keys(current_time=datetime(2026, 11, 24, tzinfo=UTC)))
    assert {partition_of_day(date(2026, 11, d)) for d in range(1, 24)} <= keys
    # The Friday partition's window spans the weekend, so the definition agrees with the rule.
    window = OPTIONS_DAILY.time_window_for_partition_key("2026-11-20")
    assert (window.end - window.start).days == 3


def test_live_chains_are_fetched_only_for_the_current_partition() -> None:
    now = datetime(2026, 11, 20, 5, 0, tzinfo=UTC)  # Friday 10:30 in Mumbai, Friday 00:00 in New York
    assert should_fetch("live", ["2026-11-19", "2026-11-20"], "nse", now)
    assert not should_fetch("live", ["2026-11-19"], "nse", now)
    assert not should_fetch("live", ["2026-11-20"], "us", datetime(2026, 11, 20, 3, 0, tzinfo=UTC))  # Thu in NY
    # A mirror is always read: the snapshot's own timestamp decides where it lands.
    assert should_fetch("directory-mirror", ["2020-05-14"], "nse", now)


def test_targets_and_their_quarantine_document_names() -> None:
    targets = chain_targets(["nse"], ["nifty"], ["RELIANCE"], ["AAPL"])
    assert targets == [ChainTarget("nse", "NIFTY", "indices"), ChainTarget("nse", "RELIANCE", "equities")]
    assert targets[0].document == "https://www.nseindia.com/api/option-chain-indices?symbol=NIFTY"
    assert targets[0].document_pattern() == "%/api/option-chain-indices?symbol=NIFTY"
    us = chain_targets(["us"], ["NIFTY"], [], ["aapl"])
    assert us == [ChainTarget("us", "AAPL")] and us[0].document.endswith("/v3/snapshot/options/AAPL?limit=250")
    with pytest.raises(ValueError, match="unknown markets"):
        chain_targets(["lse"], [], [], [])


def _strategy(expiry: date, name: str, partition: str) -> dict:
    return {"underlying": "NIFTY", "market": "nse", "snapshot_ts": pd.Timestamp("2026-11-20 10:00", tz="UTC"),
            "expiry": expiry, "strategy": name, "rank": 1, "legs": "[]", "net_premium": float("nan"),
            "max_profit": None, "max_loss": 1.0, "breakevens": "[]", "pop": 0.5, "margin": 2.0,
            "risk_reward": None, "_partition_key": partition}


def test_spec_frame_types_and_prune_removes_only_what_a_partition_no_longer_produces(fresh_db) -> None:
    rows = [_strategy(date(2026, 11, 27), "iron_condor", "2026-11-20"),
            _strategy(date(2026, 12, 4), "iron_condor", "2026-11-20"),
            _strategy(date(2026, 12, 4), "iron_condor", "2026-11-19")]
    rows[1]["net_premium"], rows[2]["net_premium"] = 2.5, None
    rows[2]["snapshot_ts"] = pd.Timestamp("2026-11-19 10:00", tz="UTC")
    frame = spec_frame(rows, OPTION_STRATEGIES)
    assert frame.schema["snapshot_ts"] == pl.Datetime("us", "UTC") and frame.schema["rank"] == pl.Int32
    assert frame["net_premium"].to_list() == [None, 2.5, None]  # NaN becomes NULL
    with connect(fresh_db) as conn:
        ensure_tables(conn, [OPTION_STRATEGIES])
        upsert(conn, OPTION_STRATEGIES, frame, source="test")
        # A re-run of 2026-11-20 produces only the 27-Nov expiry: the 4-Dec row of that partition goes,
        # the other partition's row stays.
        keep = frame.filter(pl.col("expiry") == date(2026, 11, 27)).select(OPTION_STRATEGIES.key).rows()
        assert prune_partitions(conn, OPTION_STRATEGIES, keep, ["2026-11-20"]) == 1
        left = conn.execute("select expiry, _partition_key from analytics.option_strategies order by 2").fetchall()
    assert left == [(date(2026, 12, 4), "2026-11-19"), (date(2026, 11, 27), "2026-11-20")]
