"""End to end: generated option chains (NSE + Polygon) -> Dagster assets -> Postgres raw/analytics -> dbt marts.

Every expected value is computed here from the mirror's documents or from the mart rows' own inputs,
independently of the pipeline's code path (PCR and max pain by brute force, IV rank from a seeded history).

The normal state is read from the session's shared demo (tests/support/shared_demo.py): its mirror names
its chains in mirror.json (VP_OPTION_UNDERLYINGS), the whole graph ran over the sample window. Faults (an
empty NSE payload, a truncated Polygon page), the US default underlyings (the liquidity rule over a
seeded universe and bars), the IV rank over a seeded history and a re-run use a scenario of their own:
the shared mirror seen through symlinks with the faulted files replaced, the options Python assets only.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import numpy as np
import pandas as pd
import pytest

from tests.support.pipeline import SAMPLE_WINDOW, run_pipeline
from valuation_platform.analytics.options.bsm import bsm_greeks, bsm_price
from valuation_platform.lib.runner import StageResult
from valuation_platform.pipelines.options.markets import partition_of_day
from valuation_platform.pipelines.options.underlyings import SETTING, UnderlyingsSetting
from valuation_platform.sources.http import mirror_relpath
from valuation_platform.sources.nse.option_chain import option_chain_url
from valuation_platform.warehouse.bootstrap import ensure_tables
from valuation_platform.warehouse.connection import connect
from valuation_platform.warehouse.embedded import drop_database, ensure_database
from valuation_platform.warehouse.settings import DatabaseSettings
from valuation_platform.warehouse.tables.market import POLYGON_DAILY_BARS
from valuation_platform.warehouse.tables.options import OPTION_ATM_IV_HISTORY
from valuation_platform.warehouse.tables.sec import US_UNIVERSE
from valuation_platform.warehouse.upsert import upsert

# Reads the shared demo: kept on one xdist worker (--dist loadgroup), which builds it once.
pytestmark = pytest.mark.xdist_group("shared_demo")
# the scenario's tests read only the shared mirror: their own group runs on the other worker during the build
SCENARIO_GROUP = pytest.mark.xdist_group("options_scenario")

AS_OF = SAMPLE_WINDOW.end  # the mirror's one snapshot date
WINDOW = {d.date().isoformat() for d in pd.bdate_range(SAMPLE_WINDOW.start, SAMPLE_WINDOW.end)}  # weekday partitions
CLOSES = {"nse": (time(15, 30), "Asia/Kolkata"), "us": (time(16, 0), "America/New_York")}
PYTHON_ASSETS = {"nse_option_chain_snapshots", "us_option_chain_snapshots", "option_contracts_enriched",
                 "option_atm_iv_history", "option_chain_summary", "option_strategies"}
MARTS = {"marts/fct_option_chain", "marts/fct_option_summary", "marts/fct_option_strategies"}
ILLIQUID = "ILLQ"  # in the scenario's universe, below the rule's $25M a session: never asked for
SNAPSHOT_FOLDER = "api.polygon.io/v3/snapshot/options"


# -- the mirror's own documents: the oracles ------------------------------------------------------
def _nse_path(root: Path, symbol: str) -> Path:
    """The symbol's gzipped document, at NSE's index or stock endpoint (whichever the mirror holds)."""
    paths = [root / (mirror_relpath(option_chain_url(kind), {"symbol": symbol}) + ".gz") for kind in ("indices", "equities")]
    (path,) = [p for p in paths if p.exists()]
    return path


def _us_pages(root: Path, ticker: str) -> list[Path]:
    """The first page (``?limit=``) and its ``?cursor=`` continuations."""
    return sorted((root / SNAPSHOT_FOLDER).glob(f"{ticker}?*.gz"))


def _gz_json(path: Path) -> dict:
    return json.loads(gzip.decompress(path.read_bytes()))


def _nse_sides(doc: dict) -> list[tuple[dict, str]]:
    return [(e, side) for e in doc["records"]["data"] for side in ("CE", "PE") if side in e]


def _underlyings(mirror: Path) -> dict[str, tuple[str, ...]]:
    """The chains the mirror holds, per market, as its mirror.json names them."""
    settings = json.loads((mirror / "mirror.json").read_text())["settings"]
    return UnderlyingsSetting.parse(settings[SETTING]).explicit


@pytest.fixture(scope="module")
def underlyings(shared_mirror) -> dict[str, tuple[str, ...]]:
    return _underlyings(shared_mirror)


@pytest.fixture(scope="module")
def contracts_in_mirror(shared_demo, underlyings) -> dict[str, int]:
    """Contracts per underlying in the mirror's documents: a side of an NSE strike, a Polygon result."""
    root = shared_demo.mirror
    counts = {s: len(_nse_sides(_gz_json(_nse_path(root, s)))) for s in underlyings["nse"]}
    counts.update({t: sum(len(_gz_json(p)["results"]) for p in _us_pages(root, t)) for t in underlyings["us"]})
    return counts


# -- reading the warehouse and Dagster's records ---------------------------------------------------
def _rows(db: DatabaseSettings, query: str, params=()) -> list[dict]:
    with connect(db) as conn:
        cur = conn.execute(query, params)
        names = [d.name for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def counts(db: DatabaseSettings) -> dict[str, int]:
    with connect(db) as conn:
        tables = conn.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema in ('raw', 'analytics', 'marts') and table_type = 'BASE TABLE'"
        ).fetchall()
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for (t,) in tables}


def _latest_meta(instance: dg.DagsterInstance, key: str, partition: str | None = None) -> dict:
    event = instance.get_latest_materialization_event(dg.AssetKey(key))
    if partition is not None:
        records = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=dg.AssetKey(key), asset_partitions=[partition]), limit=1
        ).records
        event = records[0].event_log_entry
    return {k: v.value for k, v in event.asset_materialization.metadata.items()}


def _check_passed(instance: dg.DagsterInstance, asset: dg.AssetKey, name: str) -> tuple[bool, dict]:
    records = instance.event_log_storage.get_asset_check_execution_history(dg.AssetCheckKey(asset, name), limit=1)
    assert records, name
    evaluation = records[0].event.dagster_event.event_specific_data
    return evaluation.passed, {k: v.value for k, v in evaluation.metadata.items()}


@pytest.fixture(scope="module")
def db(shared_demo) -> DatabaseSettings:
    return shared_demo.db


@pytest.fixture(scope="module")
def demo_instance(shared_demo) -> Iterator[dg.DagsterInstance]:
    with shared_demo.instance() as instance:
        yield instance


# -- the shared run ----------------------------------------------------------------------------------
def test_every_stage_succeeds_and_snapshots_land_in_their_own_partition(
    shared_demo, demo_instance, db, underlyings, contracts_in_mirror
) -> None:
    ours = {*PYTHON_ASSETS, *MARTS}
    stages = [s for s in shared_demo.stages if set(s.assets) & ours]
    assert ours <= {a for s in stages for a in s.materialized}, stages
    assert not [s for s in stages if set(s.failed) & ours or set(s.skipped) & ours], stages
    written = {r["market"]: r["n"] for r in _rows(db, "select market, count(*) as n from raw.option_chain_snapshots group by 1")}
    for market in ("nse", "us"):
        meta = _latest_meta(demo_instance, f"{market}_option_chain_snapshots")
        chains = underlyings[market]
        assert meta["documents_attempted"] == len(chains) and meta["documents_quarantined"] == 0
        assert meta["chains_landed"] == len(chains) and meta["chains_absent"] == 0
        assert meta["underlyings"] == f"- listed in VP_OPTION_UNDERLYINGS: {', '.join(chains)}"
        # The row count is what this run wrote (its market's rows), not a count of the shared table:
        # every contract of the market's documents.
        expected = sum(contracts_in_mirror[s] for s in chains)
        assert meta["dagster/row_count"] == written[market] == meta["rows_by_partition"][AS_OF.isoformat()] == expected
    # The run covered the whole sample window as one run: every day is materialized, only the as-of has rows.
    for key in sorted(PYTHON_ASSETS):
        assert WINDOW <= demo_instance.get_materialized_partitions(dg.AssetKey(key)), key
    # The US default reads the universe's stored bars: a whole-graph run snapshots after the bars landed.
    stage_of = {a: i for i, s in enumerate(shared_demo.stages) for a in s.assets}
    assert stage_of["us_option_chain_snapshots"] > stage_of["polygon_daily_bars"]
    keys = _rows(db, "select distinct _partition_key, trade_date from raw.option_chain_snapshots")
    assert keys == [{"_partition_key": AS_OF.isoformat(), "trade_date": AS_OF}]


def test_raw_rows_are_the_documents_contracts(shared_demo, db, underlyings, contracts_in_mirror) -> None:
    stored = Counter(r["underlying"] for r in _rows(db, "select underlying from raw.option_chain_snapshots"))
    assert stored == contracts_in_mirror
    for symbol in underlyings["nse"]:
        doc = _gz_json(_nse_path(shared_demo.mirror, symbol))
        rows = _rows(db, "select * from raw.option_chain_snapshots where underlying = %s", (symbol,))
        entry, side = next((e, s) for e, s in _nse_sides(doc) if e[s]["totalTradedVolume"] > 0 and e[s]["bidprice"] > 0)
        contract = entry[side]
        row = next(r for r in rows if r["strike"] == entry["strikePrice"] and r["option_type"] == side
                   and r["expiry"].strftime("%d-%b-%Y") == entry["expiryDate"])
        assert (row["bid"], row["ask"], row["last_price"]) == (contract["bidprice"], contract["askPrice"], contract["lastPrice"])
        assert (row["volume"], row["open_interest"], row["oi_change"]) == (
            contract["totalTradedVolume"], contract["openInterest"], contract["changeinOpenInterest"])
        assert row["provider_iv"] == pytest.approx(contract["impliedVolatility"] / 100, rel=1e-12)
        assert row["contract_symbol"] == contract["identifier"] and row["market"] == "nse"
        stamp = datetime.strptime(doc["records"]["timestamp"], "%d-%b-%Y %H:%M:%S").replace(tzinfo=ZoneInfo("Asia/Kolkata"))
        assert row["snapshot_ts"] == stamp, symbol


def test_chain_greeks_are_reproduced_from_each_rows_own_inputs(db) -> None:
    """Storage and wiring: each mart row's own inputs give its stored Greeks (correctness against py_vollib
    is tests/analytics/options/test_real_chains_vs_py_vollib.py)."""
    rows = _rows(db, "select * from marts.fct_option_chain where iv_status = 'OK'")
    assert len(rows) > 1000

    def col(name, dtype=float):
        return np.array([r[name] for r in rows], dtype=dtype)

    s, k, t, r, q, iv = (col(c) for c in ("underlying_price", "strike", "time_to_expiry", "risk_free_rate",
                                          "dividend_yield", "iv"))
    kind = col("option_type", str)
    greeks = bsm_greeks(s, k, t, r, iv, q, kind)
    for name, expected in (("delta", greeks.delta), ("gamma", greeks.gamma), ("theta", greeks.theta_per_day),
                           ("vega", greeks.vega), ("rho", greeks.rho)):
        err = np.abs(col(name) - expected) / np.maximum(1.0, np.abs(expected))
        assert err.max() <= 1e-9, name
    # The IV reprices the quote it was solved from, and T is the calendar time to the market's close.
    np.testing.assert_allclose(bsm_price(s, k, t, r, iv, q, kind), col("quote_price"), rtol=1e-8, atol=1e-8)
    for row in rows[:: max(1, len(rows) // 50)]:
        close, tz = CLOSES[row["market"]]
        expiry_close = datetime.combine(row["expiry"], close, ZoneInfo(tz))
        assert row["time_to_expiry"] == pytest.approx(
            (expiry_close - row["snapshot_ts"]).total_seconds() / (365 * 86400), rel=1e-12)
        assert row["days_to_expiry"] == (row["expiry"] - row["trade_date"]).days
    assert set(col("risk_free_rate")) == {0.065, 0.045}
    assert {x["dividend_yield"] for x in rows if x["underlying"] == "NIFTY"} == {0.012}


def _max_pain(chain: list[dict]) -> float | None:
    strikes = sorted({c["strike"] for c in chain})
    if not any((c["open_interest"] or 0) > 0 for c in chain):
        return None
    payout = {
        p: sum((c["open_interest"] or 0) * (max(p - c["strike"], 0) if c["option_type"] == "C" else max(c["strike"] - p, 0))
               for c in chain)
        for p in strikes
    }
    return min(strikes, key=lambda p: (payout[p], p))


def _pcr(chain: list[dict], field: str) -> float | None:
    calls = sum(c[field] or 0 for c in chain if c["option_type"] == "C")
    puts = sum(c[field] or 0 for c in chain if c["option_type"] == "P")
    return puts / calls if calls else None


def test_summary_pcr_and_max_pain_equal_a_plain_computation_from_the_chain(db) -> None:
    chain = _rows(db, "select underlying, snapshot_ts, expiry, strike, option_type, open_interest, volume "
                      "from marts.fct_option_chain")
    groups: dict[tuple, list[dict]] = {}
    for c in chain:
        groups.setdefault((c["underlying"], c["snapshot_ts"], c["expiry"]), []).append(c)
    summary = _rows(db, "select * from marts.fct_option_summary")
    assert {(s["underlying"], s["snapshot_ts"], s["expiry"]) for s in summary} == set(groups)
    assert len(summary) > 20
    for s in summary:
        g = groups[(s["underlying"], s["snapshot_ts"], s["expiry"])]
        for field, column in (("pcr_oi", "open_interest"), ("pcr_volume", "volume")):
            expected = _pcr(g, column)
            assert s[field] == (None if expected is None else pytest.approx(expected, rel=1e-12)), field
        assert s["max_pain"] == _max_pain(g)


def test_iv_rank_waits_for_126_days_of_our_own_history(db) -> None:
    """The shared run is the first: no earlier day of ATM IV, so no rank yet (the rank over a history is
    the scenario's). The mart passes the analytics table's IV figures on as they are."""
    columns = "underlying, snapshot_ts, expiry, atm_iv_30d, iv_rank_52w, iv_percentile_52w, iv_history_days"
    mart = _rows(db, f"select {columns} from marts.fct_option_summary order by 1, 2, 3")
    assert mart == _rows(db, f"select {columns} from analytics.option_chain_summary order by 1, 2, 3")
    assert all(r["iv_history_days"] == 0 and r["iv_rank_52w"] is None and r["iv_percentile_52w"] is None for r in mart)
    assert any(r["atm_iv_30d"] is not None for r in mart)


def test_strategies_are_priced_from_the_chain(db, underlyings) -> None:
    strategies = _rows(db, "select * from marts.fct_option_strategies")
    assert {s["underlying"] for s in strategies} == {*underlyings["nse"], *underlyings["us"]}
    prices = {(c["underlying"], c["snapshot_ts"], c["expiry"], c["strike"], c["option_type"]): c["quote_price"]
              for c in _rows(db, "select * from marts.fct_option_chain where iv_status = 'OK'")}
    condors = [s for s in strategies if s["strategy"] == "iron_condor"]
    assert condors
    for s in condors:
        legs = s["legs"]
        assert [leg["quantity"] for leg in legs] == [1.0, -1.0, -1.0, 1.0]
        assert {leg["option_type"] for leg in legs} == {"C", "P"}  # the marts' labels, NSE's CE/PE mapped
        chain = (s["underlying"], s["snapshot_ts"], s["expiry"])
        premium = sum(-leg["quantity"] * prices[(*chain, leg["strike"], leg["option_type"])] for leg in legs)
        assert s["net_premium"] == pytest.approx(premium, rel=1e-12)
        assert 0 < s["pop"] < 1 and s["max_loss"] > 0
    ranks: dict[tuple, list[int]] = {}
    for s in strategies:
        ranks.setdefault((s["underlying"], s["snapshot_ts"], s["expiry"]), []).append(s["strategy_rank"])
    assert all(sorted(r) == list(range(1, len(r) + 1)) for r in ranks.values())


def test_asset_checks_ran_and_passed(demo_instance) -> None:
    from dagster_dbt import get_asset_key_for_model

    from valuation_platform.defs.dbt.assets import dbt_models

    key = get_asset_key_for_model([dbt_models], "fct_option_chain")
    for name in ("option_greeks_bounds", "option_model_parity", "option_put_call_parity"):
        assert _check_passed(demo_instance, key, name)[0], name
    _, model = _check_passed(demo_instance, key, "option_model_parity")
    assert model["pairs_checked"] > 500 and model["max_parity_gap"] < 1e-9
    for market in ("nse", "us"):  # nothing quarantined in the shared mirror
        asset = f"{market}_option_chain_snapshots"
        assert _check_passed(demo_instance, dg.AssetKey(asset), f"{asset}_quarantine")[0], asset


# -- a scenario of its own: bad documents, the US default, a 52-week history, a re-run ---------------
@dataclass
class Scenario:
    mirror: Path
    db: DatabaseSettings
    instance: dg.DagsterInstance
    nse: tuple[str, ...]  # named in VP_OPTION_UNDERLYINGS
    us: tuple[str, ...]  # the mirror's US chains: chosen by the liquidity rule
    stages: list[StageResult]

    def run(self) -> list[StageResult]:
        return run_pipeline(self.mirror, self.db, self.instance, select_keys=PYTHON_ASSETS,
                            extra_env={SETTING: f"NSE:{','.join(self.nse)}"})  # the US chains by default

    @property
    def broken_nse(self) -> str:
        return self.nse[-1]  # a stock (RELIANCE): NSE answers {} to clients without its session cookies

    @property
    def broken_us(self) -> str:
        return self.us[0]  # the one chain with a second page: cut short

    @property
    def landed(self) -> set[str]:
        return {*self.nse, *self.us} - {self.broken_nse, self.broken_us}


def _database(pg_admin: DatabaseSettings, tmp_path_factory: pytest.TempPathFactory, purpose: str) -> DatabaseSettings:
    """An empty database named for this test session, so concurrent sessions never share it."""
    name = f"vpt_options_{purpose}_{hashlib.sha1(str(tmp_path_factory.getbasetemp()).encode()).hexdigest()[:10]}"
    drop_database(pg_admin, name)
    ensure_database(pg_admin, name)
    return pg_admin.with_dbname(name)


def _link_mirror(shared: Path, root: Path) -> None:
    """Every file of the shared mirror as a symlink: a test replaces the ones it faults, never the originals."""
    shutil.copytree(shared, root, copy_function=os.symlink, dirs_exist_ok=True)


def _replace(path: Path, payload: bytes) -> None:
    path.unlink()
    path.write_bytes(gzip.compress(payload))


def _seed_universe_and_bars(conn, tickers: tuple[str, ...]) -> None:
    """What the SEC and market domains would have stored: the chains' tickers trade $100M a session, ILLQ
    $1M, over the 20 sessions to the as-of date."""
    ensure_tables(conn, [US_UNIVERSE, POLYGON_DAILY_BARS])
    volumes = {**{t: 1e7 for t in tickers}, ILLIQUID: 1e5}
    upsert(conn, US_UNIVERSE, [{"ticker": t, "cik": i + 1, "name": t, "is_primary_ticker": True}
                               for i, t in enumerate(volumes)], source="test:universe")
    upsert(conn, POLYGON_DAILY_BARS, [{"ticker": t, "trade_date": d, "open": 10.0, "high": 10.0, "low": 10.0,
                                       "close": 10.0, "volume": v} for t, v in volumes.items()
                                      for d in pd.bdate_range(end=AS_OF, periods=20).date], source="test:bars")


def _seeded_history() -> list[dict]:
    """150 earlier NIFTY trading days (as if earlier runs had written them) and one older than 52 weeks."""
    days, day = [], AS_OF - timedelta(days=8)
    while len(days) < 150:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    rows = [{"underlying": "NIFTY", "trade_date": d, "snapshot_ts": datetime.combine(d, time(10), timezone.utc),
             "atm_iv_30d": 0.09 + 0.05 * ((i * 37) % 100) / 100, "n_expiries": 5} for i, d in enumerate(days)]
    old = AS_OF - timedelta(weeks=58)
    rows.append({"underlying": "NIFTY", "trade_date": old, "snapshot_ts": datetime.combine(old, time(10), timezone.utc),
                 "atm_iv_30d": 0.9, "n_expiries": 5})
    return rows


@pytest.fixture(scope="module")
def scenario(shared_mirror, underlyings, pg_admin, tmp_path_factory) -> Iterator[Scenario]:
    root = tmp_path_factory.mktemp("options_mirror")
    _link_mirror(shared_mirror, root)
    db = _database(pg_admin, tmp_path_factory, "scenario")
    with dg.instance_for_test() as instance:
        scenario = Scenario(root, db, instance, underlyings["nse"], underlyings["us"], [])
        assert "equities" in _nse_path(root, scenario.broken_nse).name and len(_us_pages(root, scenario.broken_us)) == 2
        _replace(_nse_path(root, scenario.broken_nse), b"{}")
        second_page = next(p for p in _us_pages(root, scenario.broken_us) if "?cursor=" in p.name)
        _replace(second_page, gzip.decompress(second_page.read_bytes())[:500])
        with connect(db) as conn:
            _seed_universe_and_bars(conn, scenario.us)
            ensure_tables(conn, [OPTION_ATM_IV_HISTORY])
            for row in _seeded_history():
                upsert(conn, OPTION_ATM_IV_HISTORY, [row], source="test:earlier-runs",
                       partition_key=partition_of_day(row["trade_date"]))
        scenario.stages = scenario.run()
        yield scenario
    drop_database(pg_admin, db.dbname)


@SCENARIO_GROUP
def test_bad_documents_are_quarantined_the_rest_lands_and_the_us_default_is_liquid(scenario) -> None:
    assert scenario.stages and all(stage.success for stage in scenario.stages), scenario.stages
    for market, chosen in (("nse", "listed in VP_OPTION_UNDERLYINGS"), ("us", "default: top 20 universe tickers")):
        meta = _latest_meta(scenario.instance, f"{market}_option_chain_snapshots")
        assert meta["documents_attempted"] == 3 and meta["documents_quarantined"] == 1
        assert meta["chains_landed"] == 2 and meta["chains_absent"] == 0
        assert chosen in meta["underlyings"]
    us_chains = _latest_meta(scenario.instance, "us_option_chain_snapshots")["chains"]
    assert ILLIQUID not in us_chains and all(f"us:{t}" in us_chains for t in scenario.us)
    reasons = {r["document"]: r["reason"] for r in _rows(
        scenario.db, "select document, reason from raw.quarantine"
                     " where asset_key in ('nse_option_chain_snapshots', 'us_option_chain_snapshots')")}
    assert len(reasons) == 2
    empty = next(r for d, r in reasons.items() if d.endswith(f"option-chain-equities?symbol={scenario.broken_nse}"))
    assert "empty payload" in empty
    broken = next(r for d, r in reasons.items() if f"/v3/snapshot/options/{scenario.broken_us}?cursor=" in d)
    assert "malformed JSON" in broken
    for table in ("raw.option_chain_snapshots", "analytics.option_contracts_enriched", "analytics.option_chain_summary"):
        landed = {r["underlying"] for r in _rows(scenario.db, f"select distinct underlying from {table}")}
        assert landed == scenario.landed, table
    for market in ("nse", "us"):  # one document quarantined per market: the check says so
        asset = f"{market}_option_chain_snapshots"
        assert not _check_passed(scenario.instance, dg.AssetKey(asset), f"{asset}_quarantine")[0], asset


@SCENARIO_GROUP
def test_iv_rank_is_measured_on_our_own_52_week_history(scenario) -> None:
    history = [r for r in _seeded_history() if r["trade_date"] >= AS_OF - timedelta(weeks=52)]
    ivs = np.array([r["atm_iv_30d"] for r in history])
    (today,) = _rows(scenario.db, "select * from analytics.option_atm_iv_history"
                                  " where underlying = 'NIFTY' and trade_date = %s", (AS_OF,))
    nifty = _rows(scenario.db, "select * from analytics.option_chain_summary where underlying = 'NIFTY'")
    current = today["atm_iv_30d"]
    assert nifty and ivs.min() < current < ivs.max()  # the seeded range brackets the generated NIFTY vol
    lo, hi = min(ivs.min(), current), max(ivs.max(), current)
    for row in nifty:
        assert row["atm_iv_30d"] == current and row["iv_history_days"] == len(history) == 150
        assert row["iv_rank_52w"] == pytest.approx((current - lo) / (hi - lo), rel=1e-12)
        assert row["iv_percentile_52w"] == pytest.approx(np.mean(ivs < current), rel=1e-12)
    banknifty = _rows(scenario.db, "select iv_rank_52w, iv_history_days from analytics.option_chain_summary"
                                   " where underlying = 'BANKNIFTY'")
    assert banknifty and all(r["iv_rank_52w"] is None and r["iv_history_days"] == 0 for r in banknifty)


@SCENARIO_GROUP
def test_rerun_is_idempotent(scenario) -> None:
    before = counts(scenario.db)
    again = scenario.run()
    assert again and all(stage.success for stage in again)
    assert counts(scenario.db) == before
    meta = _latest_meta(scenario.instance, "nse_option_chain_snapshots")
    assert meta["option_chain_snapshots/inserted"] == 0
    assert meta["option_chain_snapshots/unchanged"] == meta["option_chain_snapshots/rows_in"] > 0
    assert meta["dagster/row_count"] == meta["option_chain_snapshots/rows_in"]  # rewritten, not the table's count
    enriched = _latest_meta(scenario.instance, "option_contracts_enriched", AS_OF.isoformat())
    assert enriched["option_contracts_enriched/inserted"] == 0 and enriched["rows_pruned"] == 0


# -- the real NSE payload through the same assets ---------------------------------------------------

FIXTURE_DAY = "2020-05-14"


@pytest.fixture(scope="module")
def fixture_run(shared_fixtures, shared_mirror, pg_admin, tmp_path_factory):
    """The real BANKNIFTY chain at the NSE URL path of a mirror that also holds the demo's chains (skipped):
    the options assets for the fixture's own partition (the dbt side is covered above)."""
    from valuation_platform.defs.options import assets
    from valuation_platform.defs.options.resources import OptionsResource
    from valuation_platform.lib.resources import SourcesResource, WarehouseResource

    root = tmp_path_factory.mktemp("options_real_mirror")
    _link_mirror(shared_mirror, root)
    real = (shared_fixtures / "nse" / "option_chain_BANKNIFTY_2020-05-14.json").read_bytes()
    _replace(_nse_path(root, "BANKNIFTY"), real)
    setting = json.loads((root / "mirror.json").read_text())["settings"][SETTING]
    db = _database(pg_admin, tmp_path_factory, "real")
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [assets.nse_option_chain_snapshots, assets.us_option_chain_snapshots, assets.option_contracts_enriched,
             assets.option_atm_iv_history, assets.option_chain_summary, assets.option_strategies],
            partition_key=FIXTURE_DAY,
            instance=instance,
            resources={"sources": SourcesResource(source_root=str(root)),
                       "warehouse": WarehouseResource(database_url=db.url),
                       "options": OptionsResource(underlyings=setting)},
            raise_on_error=False,
        )
        yield db, json.loads(real), result.success, _latest_meta(instance, "nse_option_chain_snapshots")
    drop_database(pg_admin, db.dbname)


@SCENARIO_GROUP
def test_real_banknifty_chain_loads_and_its_summary_matches_a_hand_computation(fixture_run) -> None:
    db, doc, success, meta = fixture_run
    assert success
    assert meta["chains_landed"] == 1 and meta["documents_quarantined"] == 0
    assert f"nse:NIFTY @ {AS_OF} 10:00Z -> {AS_OF}: " in meta["chains"]  # read, not landed: not in this run
    raw = _rows(db, "select distinct underlying, _partition_key from raw.option_chain_snapshots")
    assert raw == [{"underlying": "BANKNIFTY", "_partition_key": FIXTURE_DAY}]
    summary = {s["expiry"].strftime("%d-%b-%Y"): s for s in _rows(db, "select * from analytics.option_chain_summary")}
    assert set(summary) == set(doc["records"]["expiryDates"])
    for expiry, s in summary.items():
        entries = [e for e in doc["records"]["data"] if e["expiryDate"] == expiry]
        oi = {side: [(e["strikePrice"], e[side]["openInterest"]) for e in entries if side in e] for side in ("CE", "PE")}
        call_oi, put_oi = sum(n for _, n in oi["CE"]), sum(n for _, n in oi["PE"])
        assert s["pcr_oi"] == (pytest.approx(put_oi / call_oi, rel=1e-12) if call_oi else None), expiry
        strikes = sorted({e["strikePrice"] for e in entries})
        pain = {p: sum(n * max(p - k, 0) for k, n in oi["CE"]) + sum(n * max(k - p, 0) for k, n in oi["PE"])
                for p in strikes}
        expected = min(strikes, key=lambda p: (pain[p], p)) if call_oi + put_oi else None
        assert s["max_pain"] == expected, expiry
    # The expiring contracts (14-May-2020 at the 15:30 close) have no time value left to invert.
    statuses = {r["iv_status"] for r in _rows(
        db, "select iv_status from analytics.option_contracts_enriched where expiry = '2020-05-14'")}
    assert statuses <= {"EXPIRED"}
