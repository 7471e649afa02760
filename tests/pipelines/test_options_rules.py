"""The options wiring rules: snapshot -> partition, when live chains are fetched, which underlyings
(VP_OPTION_UNDERLYINGS and the US liquidity rule), a source that is unavailable, typed frames, pruning."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import polars as pl
import pytest

from valuation_platform.analytics.options import bsm
from valuation_platform.generator.options import write_option_chains
from valuation_platform.lib.partitions import OPTIONS_DAILY
from valuation_platform.pipelines.options import invariants
from valuation_platform.pipelines.options.chain_targets import ChainTarget, chain_targets
from valuation_platform.pipelines.options.contracts import PricingInputs, enrich
from valuation_platform.pipelines.options.frames import prune_partitions, spec_frame
from valuation_platform.pipelines.options.markets import partition_for, partition_of_day, should_fetch, trading_date
from valuation_platform.pipelines.options.snapshots import SnapshotRequest, load_chain_snapshots
from valuation_platform.pipelines.options.underlyings import (
    NSE_DEFAULT_INDICES,
    LiquidityRule,
    UnderlyingsSetting,
    liquid_us_tickers,
)
from valuation_platform.sources.errors import SourceNotConfigured, SourceUnavailable
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.nse.option_chain import fetch_nse_chain
from valuation_platform.warehouse.bootstrap import ensure_tables
from valuation_platform.warehouse.connection import connect
from valuation_platform.warehouse.tables.market import POLYGON_DAILY_BARS
from valuation_platform.warehouse.tables.options import OPTION_CHAIN_SNAPSHOTS, OPTION_STRATEGIES
from valuation_platform.warehouse.tables.sec import US_UNIVERSE
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


def test_the_underlyings_setting() -> None:
    setting = UnderlyingsSetting.parse(" nse: nifty, RELIANCE ; US:aapl,MSFT,aapl")
    assert setting.explicit == {"nse": ("NIFTY", "RELIANCE"), "us": ("AAPL", "MSFT")}
    assert UnderlyingsSetting.parse(None).nse() == NSE_DEFAULT_INDICES == ("NIFTY", "BANKNIFTY", "FINNIFTY", "MIDCPNIFTY")
    assert UnderlyingsSetting.parse("US:").explicit == {"us": ()}  # listed empty: no US chains
    with pytest.raises(ValueError, match="VP_OPTION_UNDERLYINGS: 'LSE:VOD' is not MARKET"):
        UnderlyingsSetting.parse("LSE:VOD")
    with pytest.raises(ValueError, match="is not MARKET"):
        UnderlyingsSetting.parse("NIFTY,BANKNIFTY")


def test_targets_pick_the_nse_endpoint_and_name_their_documents() -> None:
    targets = chain_targets("nse", ["nifty", "MIDCPNIFTY", "RELIANCE"])
    assert targets == [ChainTarget("nse", "NIFTY", "indices"), ChainTarget("nse", "MIDCPNIFTY", "indices"),
                       ChainTarget("nse", "RELIANCE", "equities")]
    assert targets[0].document == "https://www.nseindia.com/api/option-chain-indices?symbol=NIFTY"
    assert targets[2].document_pattern() == "%/api/option-chain-equities?symbol=RELIANCE"
    (us,) = chain_targets("us", ["aapl"])
    assert us == ChainTarget("us", "AAPL") and us.document.endswith("/v3/snapshot/options/AAPL?limit=250")
    with pytest.raises(ValueError, match="unknown market"):
        chain_targets("lse", ["VOD"])  # type: ignore[arg-type]


def _seed_market(conn, volumes: dict[str, float], *, sessions: int = 25, end: date = date(2026, 11, 20)) -> None:
    """A universe and daily bars: each ticker trades ``volumes[t]`` shares at $10 every session."""
    ensure_tables(conn, [US_UNIVERSE, POLYGON_DAILY_BARS])
    upsert(conn, US_UNIVERSE, [{"ticker": t, "cik": i + 1, "name": t, "is_primary_ticker": True}
                               for i, t in enumerate([*volumes, "NOBARS"])], source="test")
    upsert(conn, POLYGON_DAILY_BARS, [
        {"ticker": t, "trade_date": d, "open": 10.0, "high": 10.0, "low": 10.0, "close": 10.0, "volume": v}
        for t, v in volumes.items() for d in pd.bdate_range(end=end, periods=sessions).date], source="test")


def test_the_us_default_is_the_universes_liquid_tickers(fresh_db) -> None:
    rule = LiquidityRule(top_n=2, min_avg_dollar_volume=25_000_000, sessions=20)
    with connect(fresh_db) as conn:
        _seed_market(conn, {"AAA": 1e6, "BBB": 5e6, "CCC": 3e6, "DDD": 4e6})  # $10M, $50M, $30M, $40M a day
        # An old session far outside the 20-session window does not count, however large.
        upsert(conn, POLYGON_DAILY_BARS, [{"ticker": "AAA", "trade_date": date(2026, 1, 5), "open": 1.0, "high": 1.0,
                                           "low": 1.0, "close": 10.0, "volume": 1e12}], source="test")
        chosen = liquid_us_tickers(conn, rule, date(2026, 11, 20), [])
        assert chosen.tickers == ["BBB", "DDD"] and chosen.sessions == 20
        assert chosen.ranked[0] == ("BBB", pytest.approx(50e6), 20)
        # VP_TICKERS narrows the universe first; the minimum still applies (AAA averages $10M).
        assert liquid_us_tickers(conn, rule, date(2026, 11, 20), ["AAA", "CCC"]).tickers == ["CCC"]
        with pytest.raises(SourceNotConfigured, match=r"no universe ticker averages \$25,000,000.*best: AAA"):
            liquid_us_tickers(conn, rule, date(2026, 11, 20), ["AAA"])
        with pytest.raises(SourceNotConfigured, match="none of VP_TICKERS \\(ZZZ\\) is in raw.us_universe"):
            liquid_us_tickers(conn, rule, date(2026, 11, 20), ["ZZZ"])
        with pytest.raises(SourceNotConfigured, match="polygon_daily_bars holds no session on or before 2025-12-31"):
            liquid_us_tickers(conn, rule, date(2025, 12, 31), [])


def test_an_empty_universe_says_so(fresh_db) -> None:
    with connect(fresh_db) as conn:
        ensure_tables(conn, [US_UNIVERSE, POLYGON_DAILY_BARS])
        with pytest.raises(SourceNotConfigured) as raised:
            liquid_us_tickers(conn, LiquidityRule(), date(2026, 11, 20), [])
    assert raised.value.source == "polygon" and raised.value.setting == "VP_OPTION_UNDERLYINGS"
    assert "raw.us_universe is empty" in str(raised.value) and "\n" not in str(raised.value)


def _request(market: str, setting: str | None = None, **kwargs) -> SnapshotRequest:
    return SnapshotRequest(market=market, partition_keys=["2026-11-20"], setting=UnderlyingsSetting.parse(setting),
                           asset_key=f"{market}_option_chain_snapshots", **kwargs)


def test_a_mirror_without_chains_makes_each_source_unavailable(fresh_db, tmp_path: Path) -> None:
    (tmp_path / "data.sec.gov/api/xbrl/companyfacts").mkdir(parents=True)  # an SEC-only mirror
    client = HttpClient(source_root=tmp_path)
    with connect(fresh_db) as conn:
        ensure_tables(conn, [OPTION_CHAIN_SNAPSHOTS])
        with pytest.raises(SourceUnavailable) as nse:
            load_chain_snapshots(conn, client, _request("nse"))
        with pytest.raises(SourceUnavailable) as us:
            load_chain_snapshots(conn, client, _request("us", "US:SNOW,TSLA"))
        assert conn.execute("select count(*) from raw.option_chain_snapshots").fetchone()[0] == 0
    assert nse.value.source == "nse" and str(nse.value) == (
        f"source nse unavailable: mirror {tmp_path} holds none of the 4 chains asked for "
        "(NIFTY, BANKNIFTY, FINNIFTY, MIDCPNIFTY)")
    assert us.value.source == "polygon" and "holds none of the 2 chains asked for (SNOW, TSLA)" in str(us.value)
    assert not nse.value.retryable and not us.value.retryable  # waiting will not fill a mirror


def test_live_us_without_an_api_key_is_not_configured(fresh_db) -> None:
    now = datetime.now(UTC)
    request = SnapshotRequest(market="us", partition_keys=[partition_for(now, "us")],
                              setting=UnderlyingsSetting.parse("US:AAPL"), asset_key="us_option_chain_snapshots")
    with connect(fresh_db) as conn, pytest.raises(SourceNotConfigured, match="VP_POLYGON_API_KEY is not set"):
        load_chain_snapshots(conn, HttpClient(), request)


def test_chains_the_mirror_lacks_are_listed_and_the_rest_lands(fresh_db, tmp_path: Path) -> None:
    write_option_chains(tmp_path, date(2026, 11, 20), nse_symbols=("NIFTY",), nse_equities=(), us_tickers=())
    with connect(fresh_db) as conn:
        ensure_tables(conn, [OPTION_CHAIN_SNAPSHOTS])
        report = load_chain_snapshots(conn, HttpClient(source_root=tmp_path), _request("nse", "NSE:NIFTY,FINNIFTY"))
        rows = conn.execute("select distinct underlying, market, _partition_key from raw.option_chain_snapshots").fetchall()
    assert rows == [("NIFTY", "nse", "2026-11-20")]
    assert report["chains_landed"] == 1 and report["chains_absent"] == 1 and report["documents_quarantined"] == 0
    assert "nse:FINNIFTY: not in the mirror" in report["chains"]
    assert report["dagster/row_count"] == report["rows_by_partition"]["2026-11-20"] > 100


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


MART_COLUMNS = {"underlying": "text", "market": "text", "snapshot_ts": "timestamptz", "trade_date": "date",
                "expiry": "date", "strike": "float8", "option_type": "text", "underlying_price": "float8",
                "time_to_expiry": "float8", "risk_free_rate": "float8", "dividend_yield": "float8", "iv": "float8",
                "iv_status": "text", "quote_price": "float8", "bid": "float8", "ask": "float8", "delta": "float8",
                "gamma": "float8", "vega": "float8"}


@pytest.fixture
def chain_mart(fresh_db, tmp_path: Path):
    """A generated NIFTY chain, enriched by the pipeline's step function, as marts.fct_option_chain holds it."""
    write_option_chains(tmp_path, date(2026, 11, 20), nse_symbols=("NIFTY",), nse_equities=(), us_tickers=())
    rows = pd.DataFrame(fetch_nse_chain(HttpClient(source_root=tmp_path), "NIFTY")).assign(market="nse")
    frame = enrich(rows.assign(trade_date=date(2026, 11, 20)), PricingInputs())
    frame["option_type"] = frame["option_type"].map({"CE": "C", "PE": "P"})
    with connect(fresh_db) as conn:
        conn.execute("create schema if not exists marts")
        conn.execute("create table marts.fct_option_chain ("
                     + ", ".join(f"{c} {t}" for c, t in MART_COLUMNS.items()) + ")")
        with conn.cursor() as cur:
            cur.executemany(
                f"insert into marts.fct_option_chain values ({', '.join(['%s'] * len(MART_COLUMNS))})",
                [tuple(None if isinstance(v, float) and v != v else v for v in row)
                 for row in frame[list(MART_COLUMNS)].itertuples(index=False)])
        conn.commit()
    return fresh_db


def test_the_model_parity_check_passes_on_a_sound_chain_and_catches_what_breaks_it(chain_mart, monkeypatch) -> None:
    with connect(chain_mart) as conn:
        sound = invariants.model_parity(conn)
        assert sound.passed and sound.metadata["pairs_checked"] > 50, sound.metadata
        assert invariants.greeks_bounds(conn).passed
        # A put priced with the wrong discounting (r where q belongs) breaks parity of the model's prices.
        real = bsm.bsm_greeks

        def drifting(S, K, T, r, sigma, q=0.0, option_type="C"):
            return real(S, K, T, r, sigma, r if option_type == "P" else q, option_type)

        monkeypatch.setattr(invariants, "bsm_greeks", drifting)
        broken = invariants.model_parity(conn)
        assert not broken.passed and broken.metadata["max_parity_gap"] > 1e-4
        monkeypatch.undo()
        # A stored IV that no longer reprices its quote (an IV solver gone wrong) fails it too.
        conn.execute("update marts.fct_option_chain set iv = iv * 1.01 where iv_status = 'OK' and strike = "
                     "(select min(strike) from marts.fct_option_chain where iv_status = 'OK')")
        stale = invariants.model_parity(conn)
        assert not stale.passed and stale.metadata["max_reprice_gap"] > 1e-6
        # A call delta above e^-qT is out of its no-arbitrage bounds.
        conn.execute("update marts.fct_option_chain set delta = 1.5 where option_type = 'C' and iv_status = 'OK'"
                     " and strike = (select max(strike) from marts.fct_option_chain where iv_status = 'OK')")
        bounds = invariants.greeks_bounds(conn)
        assert not bounds.passed and bounds.metadata["call_delta_out_of_bounds"] >= 1
