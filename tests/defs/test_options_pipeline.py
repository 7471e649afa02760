"""End to end: generated option chains (NSE + Polygon) -> Dagster assets -> Postgres raw/analytics -> dbt marts.

Every expected value is computed here from the mirror's documents or from the mart rows' own inputs,
independently of the pipeline's code path (PCR and max pain by brute force). NSE underlyings are named in
VP_OPTION_UNDERLYINGS; the US ones come from the default liquidity rule over a seeded universe and bars.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import numpy as np
import pandas as pd
import pytest

from tests.support.pipeline import env, run_pipeline
from valuation_platform.analytics.options.bsm import bsm_greeks, bsm_price
from valuation_platform.generator.options import (
    DEFAULT_US_TICKERS,
    option_underlyings_setting,
    write_option_chains,
)
from valuation_platform.pipelines.options.markets import partition_of_day
from valuation_platform.sources.http import mirror_relpath
from valuation_platform.sources.nse.option_chain import option_chain_url
from valuation_platform.warehouse.bootstrap import ensure_tables
from valuation_platform.warehouse.connection import connect
from valuation_platform.warehouse.embedded import drop_database, ensure_database
from valuation_platform.warehouse.tables.market import POLYGON_DAILY_BARS
from valuation_platform.warehouse.tables.options import OPTION_ATM_IV_HISTORY
from valuation_platform.warehouse.tables.sec import US_UNIVERSE
from valuation_platform.warehouse.upsert import upsert

GROUPS = {"options"}  # the options models read no seeds, so "reference" is not needed
AS_OF = date(2026, 11, 20)
LANDED = {"NIFTY", "BANKNIFTY", *DEFAULT_US_TICKERS} - {DEFAULT_US_TICKERS[0]}
BROKEN_US = DEFAULT_US_TICKERS[0]  # its second Polygon page is truncated
CLOSES = {"nse": (time(15, 30), "Asia/Kolkata"), "us": (time(16, 0), "America/New_York")}
NSE_ONLY = "NSE:NIFTY,BANKNIFTY,RELIANCE"  # the US chains come from the liquidity rule
ILLIQUID = "ILLQ"  # in the universe, below the rule's $25M a session: never asked for


def _nse_path(root: Path, kind: str, symbol: str) -> Path:
    return root / mirror_relpath(option_chain_url(kind), {"symbol": symbol})


@pytest.fixture(scope="module")
def mirror(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("options_mirror")
    write_option_chains(root, AS_OF)
    # NSE answers {} to clients without its session cookies; a Polygon cursor page cut short.
    _nse_path(root, "equities", "RELIANCE").write_bytes(b"{}")
    (second_page,) = (root / "api.polygon.io/v3/snapshot/options").glob(f"{BROKEN_US}?cursor=*")
    second_page.write_bytes(second_page.read_bytes()[:500])
    return root


def _databases(pg_admin, names):
    for name in names:
        drop_database(pg_admin, name)
        ensure_database(pg_admin, name)
    return tuple(pg_admin.with_dbname(n) for n in names)


@pytest.fixture(scope="module")
def databases(pg_admin):
    names = ("vpt_options_e2e", "vpt_options_dagster")
    yield _databases(pg_admin, names)
    for name in names:
        drop_database(pg_admin, name)


@pytest.fixture(scope="module")
def instance(databases):
    _, dagster_db = databases
    with dg.instance_for_test(overrides={"storage": {"postgres": {"postgres_url": dagster_db.sqlalchemy_url}}}) as inst:
        yield inst


def _seed_universe_and_bars(conn) -> None:
    """What the SEC and market domains would have stored: the generated chains' tickers trade $100M a
    session, ILLQ $1M, over the 20 sessions to the as-of date."""
    ensure_tables(conn, [US_UNIVERSE, POLYGON_DAILY_BARS])
    tickers = {**{t: 1e7 for t in DEFAULT_US_TICKERS}, ILLIQUID: 1e5}
    upsert(conn, US_UNIVERSE, [{"ticker": t, "cik": i + 1, "name": t, "is_primary_ticker": True}
                               for i, t in enumerate(tickers)], source="test:universe")
    upsert(conn, POLYGON_DAILY_BARS, [{"ticker": t, "trade_date": d, "open": 10.0, "high": 10.0, "low": 10.0,
                                       "close": 10.0, "volume": v} for t, v in tickers.items()
                                      for d in pd.bdate_range(end=AS_OF, periods=20).date], source="test:bars")


def _seeded_history() -> list[dict]:
    """150 earlier NIFTY trading days (as if earlier runs had written them) and one older than 52 weeks."""
    days, day = [], date(2026, 11, 12)
    while len(days) < 150:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    rows = [{"underlying": "NIFTY", "trade_date": d, "snapshot_ts": datetime.combine(d, time(10), timezone.utc),
             "atm_iv_30d": 0.09 + 0.05 * ((i * 37) % 100) / 100, "n_expiries": 5} for i, d in enumerate(days)]
    old = date(2025, 10, 1)
    rows.append({"underlying": "NIFTY", "trade_date": old, "snapshot_ts": datetime.combine(old, time(10), timezone.utc),
                 "atm_iv_30d": 0.9, "n_expiries": 5})
    return rows


@pytest.fixture(scope="module")
def first_run(mirror, databases, instance):
    db, _ = databases
    with connect(db) as conn:
        _seed_universe_and_bars(conn)
        ensure_tables(conn, [OPTION_ATM_IV_HISTORY])
        for row in _seeded_history():
            upsert(conn, OPTION_ATM_IV_HISTORY, [row], source="test:earlier-runs",
                   partition_key=partition_of_day(row["trade_date"]))
    return _run(mirror, db, instance)


def _run(mirror, db, instance):
    # dbt's profile is read from these variables: parsing with them set up front lets every dbt step
    # of the run reuse the prepared manifest (partial parsing) instead of parsing the project again.
    with env(db.dbt_env()):
        return run_pipeline(mirror, db, instance, select_groups=GROUPS, extra_env={"VP_OPTION_UNDERLYINGS": NSE_ONLY})


def _rows(db, query: str, params=()) -> list[dict]:
    with connect(db) as conn:
        cur = conn.execute(query, params)
        names = [d.name for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def counts(db) -> dict[str, int]:
    with connect(db) as conn:
        tables = conn.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema in ('raw', 'analytics', 'marts') and table_type = 'BASE TABLE'"
        ).fetchall()
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for (t,) in tables}


def _latest_meta(instance, key: str, partition: str | None = None) -> dict:
    event = instance.get_latest_materialization_event(dg.AssetKey(key))
    if partition is not None:
        records = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=dg.AssetKey(key), asset_partitions=[partition]), limit=1
        ).records
        event = records[0].event_log_entry
    return {k: v.value for k, v in event.asset_materialization.metadata.items()}


def test_every_stage_succeeds_and_snapshots_land_in_their_own_partition(first_run, databases, instance) -> None:
    assert first_run and all(stage.success for stage in first_run), first_run
    db, _ = databases
    written = {r["market"]: r["n"] for r in _rows(db, "select market, count(*) as n from raw.option_chain_snapshots group by 1")}
    for market, chosen in (("nse", "listed in VP_OPTION_UNDERLYINGS"), ("us", "default: top 20 universe tickers")):
        meta = _latest_meta(instance, f"{market}_option_chain_snapshots")
        assert meta["documents_attempted"] == 3 and meta["documents_quarantined"] == 1
        assert meta["chains_landed"] == 2 and meta["chains_absent"] == 0
        assert chosen in meta["underlyings"]
        # The row count is what this run wrote (its market's rows), not a count of the shared table.
        assert meta["dagster/row_count"] == written[market] == meta["rows_by_partition"]["2026-11-20"]
    assert ILLIQUID not in _latest_meta(instance, "us_option_chain_snapshots")["chains"]
    keys = _rows(db, "select distinct _partition_key, trade_date from raw.option_chain_snapshots")
    assert keys == [{"_partition_key": "2026-11-20", "trade_date": AS_OF}]
    # The run covered the whole sample window as one run: every day is materialized, only the 20th has rows.
    window = {"2026-11-13", "2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20"}
    for key in ("nse_option_chain_snapshots", "us_option_chain_snapshots", "option_contracts_enriched", "option_chain_summary", "option_strategies"):
        assert window <= instance.get_materialized_partitions(dg.AssetKey(key))


def test_raw_rows_are_the_documents_contracts(first_run, mirror, databases) -> None:
    db, _ = databases
    doc = json.loads(_nse_path(mirror, "indices", "NIFTY").read_bytes())
    sides = [(e, side) for e in doc["records"]["data"] for side in ("CE", "PE") if side in e]
    rows = _rows(db, "select * from raw.option_chain_snapshots where underlying = 'NIFTY'")
    assert len(rows) == len(sides)
    entry, side = next((e, s) for e, s in sides if e[s]["totalTradedVolume"] > 0 and e[s]["bidprice"] > 0)
    contract = entry[side]
    row = next(r for r in rows if r["strike"] == entry["strikePrice"] and r["option_type"] == side
               and r["expiry"].strftime("%d-%b-%Y") == entry["expiryDate"])
    assert (row["bid"], row["ask"], row["last_price"]) == (contract["bidprice"], contract["askPrice"], contract["lastPrice"])
    assert (row["volume"], row["open_interest"], row["oi_change"]) == (
        contract["totalTradedVolume"], contract["openInterest"], contract["changeinOpenInterest"])
    assert row["provider_iv"] == pytest.approx(contract["impliedVolatility"] / 100, rel=1e-12)
    assert row["contract_symbol"] == contract["identifier"] and row["market"] == "nse"
    stamp = datetime.strptime(doc["records"]["timestamp"], "%d-%b-%Y %H:%M:%S").replace(tzinfo=ZoneInfo("Asia/Kolkata"))
    assert row["snapshot_ts"] == stamp


def test_bad_documents_are_quarantined_and_the_rest_lands(first_run, databases) -> None:
    db, _ = databases
    reasons = {r["document"]: r["reason"] for r in _rows(
        db, "select document, reason from raw.quarantine where asset_key in ('nse_option_chain_snapshots', 'us_option_chain_snapshots')")}
    assert len(reasons) == 2
    reliance = next(r for d, r in reasons.items() if d.endswith("option-chain-equities?symbol=RELIANCE"))
    assert "empty payload" in reliance
    broken = next(r for d, r in reasons.items() if f"/v3/snapshot/options/{BROKEN_US}?cursor=" in d)
    assert "malformed JSON" in broken
    landed = {r["underlying"] for r in _rows(db, "select distinct underlying from marts.fct_option_chain")}
    assert landed == LANDED


def test_chain_greeks_are_reproduced_from_each_rows_own_inputs(first_run, databases) -> None:
    """Storage and wiring: each mart row's own inputs give its stored Greeks (correctness against py_vollib
    is tests/analytics/options/test_real_chains_vs_py_vollib.py)."""
    db, _ = databases
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


def _check_summary_against_chain(db) -> int:
    chain = _rows(db, "select underlying, snapshot_ts, expiry, strike, option_type, open_interest, volume "
                      "from marts.fct_option_chain")
    groups: dict[tuple, list[dict]] = {}
    for c in chain:
        groups.setdefault((c["underlying"], c["snapshot_ts"], c["expiry"]), []).append(c)
    summary = _rows(db, "select * from marts.fct_option_summary")
    assert {(s["underlying"], s["snapshot_ts"], s["expiry"]) for s in summary} == set(groups)
    for s in summary:
        g = groups[(s["underlying"], s["snapshot_ts"], s["expiry"])]
        for field, column in (("pcr_oi", "open_interest"), ("pcr_volume", "volume")):
            expected = _pcr(g, column)
            assert s[field] == (None if expected is None else pytest.approx(expected, rel=1e-12)), field
        assert s["max_pain"] == _max_pain(g)
    return len(summary)


def test_summary_pcr_and_max_pain_equal_a_plain_computation_from_the_chain(first_run, databases) -> None:
    db, _ = databases
    assert _check_summary_against_chain(db) > 20


def test_iv_rank_is_measured_on_our_own_52_week_history(first_run, databases) -> None:
    db, _ = databases
    history = [r for r in _seeded_history() if r["trade_date"] >= AS_OF - timedelta(weeks=52)]
    ivs = np.array([r["atm_iv_30d"] for r in history])
    (today,) = _rows(db, "select * from analytics.option_atm_iv_history where underlying = 'NIFTY' and trade_date = %s",
                     (AS_OF,))
    nifty = _rows(db, "select * from marts.fct_option_summary where underlying = 'NIFTY'")
    current = today["atm_iv_30d"]
    assert ivs.min() < current < ivs.max()  # the seeded range brackets the generated NIFTY vol
    lo, hi = min(ivs.min(), current), max(ivs.max(), current)
    for row in nifty:
        assert row["atm_iv_30d"] == current and row["iv_history_days"] == len(history) == 150
        assert row["iv_rank_52w"] == pytest.approx((current - lo) / (hi - lo), rel=1e-12)
        assert row["iv_percentile_52w"] == pytest.approx(np.mean(ivs < current), rel=1e-12)
    banknifty = _rows(db, "select iv_rank_52w, iv_history_days from marts.fct_option_summary where underlying = 'BANKNIFTY'")
    assert banknifty and all(r["iv_rank_52w"] is None and r["iv_history_days"] == 0 for r in banknifty)


def test_strategies_are_priced_from_the_chain(first_run, databases) -> None:
    db, _ = databases
    strategies = _rows(db, "select * from marts.fct_option_strategies")
    assert {s["underlying"] for s in strategies} == LANDED
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


def test_asset_checks_ran_and_passed(first_run, instance) -> None:
    from dagster_dbt import get_asset_key_for_model

    from valuation_platform.defs.dbt.assets import dbt_models

    key = get_asset_key_for_model([dbt_models], "fct_option_chain")
    for name in ("option_greeks_bounds", "option_model_parity", "option_put_call_parity"):
        records = instance.event_log_storage.get_asset_check_execution_history(dg.AssetCheckKey(key, name), limit=1)
        assert records and records[0].status.value == "SUCCEEDED", name
        evaluation = records[0].event.dagster_event.event_specific_data
        assert evaluation.passed, name
    model = instance.event_log_storage.get_asset_check_execution_history(
        dg.AssetCheckKey(key, "option_model_parity"), limit=1)[0].event.dagster_event.event_specific_data
    assert model.metadata["pairs_checked"].value > 500 and model.metadata["max_parity_gap"].value < 1e-9
    for market in ("nse", "us"):  # one document quarantined per market
        asset = f"{market}_option_chain_snapshots"
        records = instance.event_log_storage.get_asset_check_execution_history(
            dg.AssetCheckKey(dg.AssetKey(asset), f"{asset}_quarantine"), limit=1)
        assert records and not records[0].event.dagster_event.event_specific_data.passed


def test_rerun_is_idempotent(first_run, mirror, databases, instance) -> None:
    db, _ = databases
    before = counts(db)
    again = _run(mirror, db, instance)
    assert all(stage.success for stage in again)
    assert counts(db) == before
    meta = _latest_meta(instance, "nse_option_chain_snapshots")
    assert meta["option_chain_snapshots/inserted"] == 0
    assert meta["option_chain_snapshots/unchanged"] == meta["option_chain_snapshots/rows_in"] > 0
    assert meta["dagster/row_count"] == meta["option_chain_snapshots/rows_in"]  # rewritten, not the table's count
    enriched = _latest_meta(instance, "option_contracts_enriched", "2026-11-20")
    assert enriched["option_contracts_enriched/inserted"] == 0 and enriched["rows_pruned"] == 0


# -- the real NSE payload through the same assets ---------------------------------------------------

FIXTURE_DAY = "2020-05-14"


@pytest.fixture(scope="module")
def fixture_run(shared_fixtures, pg_admin, tmp_path_factory):
    """The real BANKNIFTY chain at the NSE URL path of a mirror that also holds 2026 chains (skipped):
    the options assets for the fixture's own partition (the dbt side is covered above)."""
    from valuation_platform.defs.options import assets
    from valuation_platform.defs.options.resources import OptionsResource
    from valuation_platform.lib.resources import SourcesResource, WarehouseResource

    root = tmp_path_factory.mktemp("options_real_mirror")
    write_option_chains(root, AS_OF)
    real = (shared_fixtures / "nse" / "option_chain_BANKNIFTY_2020-05-14.json").read_bytes()
    _nse_path(root, "indices", "BANKNIFTY").write_bytes(real)
    (db,) = _databases(pg_admin, ("vpt_options_real",))
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [assets.nse_option_chain_snapshots, assets.us_option_chain_snapshots, assets.option_contracts_enriched,
             assets.option_atm_iv_history,
             assets.option_chain_summary, assets.option_strategies],
            partition_key=FIXTURE_DAY,
            instance=instance,
            resources={"sources": SourcesResource(source_root=str(root)),
                       "warehouse": WarehouseResource(database_url=db.url),
                       "options": OptionsResource(underlyings=option_underlyings_setting())},
            raise_on_error=False,
        )
        yield db, json.loads(real), result.success, _latest_meta(instance, "nse_option_chain_snapshots")
    drop_database(pg_admin, "vpt_options_real")


def test_real_banknifty_chain_loads_and_its_summary_matches_a_hand_computation(fixture_run) -> None:
    db, doc, success, meta = fixture_run
    assert success
    assert meta["chains_landed"] == 1 and meta["documents_quarantined"] == 0
    assert "nse:NIFTY @ 2026-11-20 10:00Z -> 2026-11-20: " in meta["chains"]  # read, not landed: not in this run
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
