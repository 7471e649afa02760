"""End to end: the three generated demo portfolios (landing CSVs) -> Dagster assets -> analytics.* -> the 14
portfolio marts, read from the session's shared demo (tests/support/shared_demo.py).

Every expected value is computed here from the raw inputs, not with the pipeline's code: quantities from
the landing CSVs, closes from the mirror's Polygon aggregate files (NAV) or from fct_daily_prices (betas,
regressed with numpy's lstsq), the bad row's line found in its file. Only queries: the graph ran once.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import numpy as np
import pandas as pd
import pytest

from valuation_platform.warehouse.connection import connect
from valuation_platform.warehouse.settings import DatabaseSettings

# Reads the shared demo: kept on one xdist worker (--dist loadgroup), which builds it once.
pytestmark = pytest.mark.xdist_group("shared_demo")

MARTS = ("fct_position_snapshots", "fct_portfolio_snapshots", "fct_position_betas", "fct_factor_exposures",
         "fct_volatility_forecasts", "fct_position_correlations", "fct_portfolio_risk", "fct_stress_tests",
         "fct_portfolio_concentration", "fct_portfolio_health", "fct_portfolio_insights", "fct_portfolio_activity",
         "fct_sector_exposure", "fct_target_prices")
PORTFOLIOS = ("IND-001", "HNW-001", "FUND-001")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(scope="module")
def db(shared_demo) -> DatabaseSettings:
    return shared_demo.db


@pytest.fixture(scope="module")
def landing(shared_demo) -> Path:
    return shared_demo.mirror / "landing" / "portfolio"


@pytest.fixture(scope="module")
def demo_instance(shared_demo) -> Iterator[dg.DagsterInstance]:
    with shared_demo.instance() as instance:
        yield instance


def _rows(db: DatabaseSettings, query: str, params: tuple = ()) -> list[dict]:
    with connect(db) as conn:
        cur = conn.execute(query, params)
        names = [d.name for d in cur.description or []]
        return [dict(zip(names, row)) for row in cur.fetchall()]


def _positions_csv(landing: Path, account: str) -> list[dict[str, str]]:
    with (landing / "positions" / f"{account.lower()}.csv").open(newline="") as f:
        return list(csv.DictReader(f))


def _mirror_closes(mirror: Path, ticker: str) -> dict[date, float]:
    """Every daily close the mirror's Polygon aggregate files hold for ``ticker`` (New York session date)."""
    closes: dict[date, float] = {}
    for path in (mirror / "api.polygon.io" / "v2" / "aggs" / "ticker" / ticker / "range" / "1" / "day").glob("*/*"):
        raw = path.read_bytes()
        payload = json.loads(gzip.decompress(raw) if path.suffix == ".gz" else raw)
        for bar in payload.get("results") or []:
            day = datetime.fromtimestamp(bar["t"] / 1000, tz=timezone.utc).astimezone(NEW_YORK).date()
            closes[day] = float(bar["c"])
    return closes


@pytest.fixture(scope="module")
def as_of(db) -> date:
    return _rows(db, "select max(trade_date) as d from marts.fct_portfolio_snapshots")[0]["d"]


def test_every_portfolio_asset_ran_and_every_mart_has_rows(shared_demo, db, as_of) -> None:
    stages = [s for s in shared_demo.stages if any(a.startswith("portfolio_") for a in s.assets)]
    assert stages and not [s for s in stages if s.failed or s.skipped], stages
    for mart in MARTS:
        n = _rows(db, f"select count(*) as n from marts.{mart}")[0]["n"]
        assert n > 0, mart
    got = {r["portfolio_id"] for r in _rows(db, "select portfolio_id from marts.fct_portfolio_snapshots where trade_date = %s",
                                            (as_of,))}
    assert got == set(PORTFOLIOS)
    # the session's phases ran for every session of the window, the last being the mirror's last bar
    assert as_of == max(_mirror_closes(shared_demo.mirror, "SPY"))


def test_nav_is_quantity_times_the_mirrors_close(shared_demo, db, landing, as_of) -> None:
    navs = {r["portfolio_id"]: r for r in _rows(
        db, "select portfolio_id, nav, cash, long_market_value from marts.fct_portfolio_snapshots where trade_date = %s",
        (as_of,))}
    for account in ("IND-001", "HNW-001"):  # stocks, ETFs and cash: NAV = sum(quantity x close) + cash
        rows = _positions_csv(landing, account)
        cash = sum(float(r["Quantity"]) for r in rows if r["Position Type"] == "CASH")
        value = sum(float(r["Quantity"]) * _mirror_closes(shared_demo.mirror, r["Symbol"])[as_of]
                    for r in rows if r["Position Type"] == "LONG")
        assert navs[account]["nav"] == pytest.approx(value + cash, rel=1e-12), account
        assert navs[account]["cash"] == pytest.approx(cash, rel=1e-12)
        assert navs[account]["long_market_value"] == pytest.approx(value, rel=1e-12)
    # the fund's stock rows (options are valued from the chain): each position's value is quantity x close
    fund = {r["position_id"]: r["market_value"] for r in _rows(
        db, "select position_id, market_value from marts.fct_position_snapshots where portfolio_id = 'FUND-001'"
            " and trade_date = %s and position_type in ('LONG', 'SHORT')", (as_of,))}
    stocks = [r for r in _positions_csv(landing, "FUND-001") if r["Position Type"] in ("LONG", "SHORT") and r["Symbol"] != "ZZZZ"]
    assert len(fund) == len(stocks)
    for r in stocks:
        expected = float(r["Quantity"]) * _mirror_closes(shared_demo.mirror, r["Symbol"])[as_of]
        assert fund[r["Symbol"]] == pytest.approx(expected, rel=1e-12), r["Symbol"]


def test_the_unknown_ticker_row_is_quarantined_and_the_rest_land(db, landing) -> None:
    with (landing / "positions" / "fund-001.csv").open() as f:
        line = next(i for i, text in enumerate(f, start=1) if text.split(",")[2] == "ZZZZ")
    quarantined = _rows(db, "select document, field, reason from raw.quarantine where asset_key = 'portfolio_positions'")
    assert quarantined == [{"document": f"positions/fund-001.csv#line{line}", "field": "Symbol",
                            "reason": "unknown ticker ZZZZ"}]
    landed = {r["portfolio_id"]: r["n"] for r in _rows(db, "select portfolio_id, count(*) as n from raw.portfolio_positions"
                                                           " group by 1")}
    assert landed == {p: len(_positions_csv(landing, p)) - (p == "FUND-001") for p in PORTFOLIOS}


def test_portfolio_beta_vs_spy_by_lstsq_on_the_daily_prices_mart(shared_demo, db, landing, as_of) -> None:
    """Back-cast returns of today's weights (quantity x close / NAV) regressed on SPY's, closes forward-filled
    across a halted session (the documented convention), 60 and 252 sessions."""
    prices = pd.DataFrame(_rows(db, "select ticker, trade_date, close from marts.fct_daily_prices where trade_date <= %s",
                                (as_of,)))
    closes = prices.pivot(index="trade_date", columns="ticker", values="close").sort_index()
    closes = closes.loc[closes["SPY"].notna()].ffill()
    returns = closes.pct_change(fill_method=None).iloc[1:]
    betas = {r["portfolio_id"]: r for r in _rows(
        db, "select * from marts.fct_position_betas where position_id = '__portfolio__' and trade_date = %s", (as_of,))}
    for account in ("IND-001", "HNW-001"):
        rows = [r for r in _positions_csv(landing, account) if r["Position Type"] == "LONG"]
        cash = sum(float(r["Quantity"]) for r in _positions_csv(landing, account) if r["Position Type"] == "CASH")
        value = {r["Symbol"]: float(r["Quantity"]) * closes.loc[as_of, r["Symbol"]] for r in rows}
        nav = sum(value.values()) + cash
        portfolio = sum(v / nav * returns[t].fillna(0.0) for t, v in value.items())
        for window in (60, 252):
            y, m = portfolio.to_numpy()[-window:], returns["SPY"].to_numpy()[-window:]
            x = np.column_stack([np.ones(window), m])
            (alpha, beta), ssr, *_ = np.linalg.lstsq(x, y, rcond=None)
            r2 = 1 - ssr[0] / np.sum((y - y.mean()) ** 2)
            got = betas[account]
            assert got[f"n_obs_{window}"] == window
            assert got[f"beta_{window}"] == pytest.approx(beta, abs=1e-9), (account, window)
            assert got[f"alpha_{window}"] == pytest.approx(alpha, abs=1e-12), (account, window)
            assert got[f"r2_{window}"] == pytest.approx(r2, abs=1e-9), (account, window)


def test_checks_passed_and_the_quarantine_check_names_the_bad_row(demo_instance) -> None:
    from valuation_platform.definitions import build_defs

    graph = build_defs().resolve_asset_graph()
    portfolio = {k for k in graph.get_all_asset_keys() if graph.get(k).group_name == "portfolio"}
    checks = [c for c in graph.asset_check_keys if c.asset_key in portfolio]
    marts = {k for k in portfolio if k.path[0] == "marts"}
    assert len(marts) >= 15 and marts <= {c.asset_key for c in checks if c.name.startswith("unique")}  # keys tested
    outcomes = {}
    for check in checks:
        records = demo_instance.event_log_storage.get_asset_check_execution_history(check, limit=1)
        assert records, check
        evaluation = records[0].event.dagster_event.event_specific_data
        outcomes[check.name] = (evaluation.passed, {k: v.value for k, v in evaluation.metadata.items()})
    failed = {name for name, (passed, _) in outcomes.items() if not passed}
    assert failed == {"portfolio_positions_quarantine"}  # WARN: the demo's one bad row
    assert outcomes["portfolio_positions_quarantine"][1]["quarantined"] == 1
    assert {"snapshots_add_up", "portfolio_beta_is_weighted_sum", "portfolio_target_prices_quarantine"} <= set(outcomes)


def test_the_risk_materialization_carries_the_largest_portfolios_picture(db, demo_instance, as_of) -> None:
    """portfolio_risk's event holds the NAV / drawdown / risk-contribution picture of the largest portfolio by
    NAV on the window's last session, as a markdown PNG (the largest read here from the snapshots mart)."""
    largest = _rows(db, "select portfolio_id from marts.fct_portfolio_snapshots where trade_date = %s "
                        "order by nav desc, portfolio_id desc limit 1", (as_of,))[0]["portfolio_id"]
    event = demo_instance.get_latest_materialization_event(dg.AssetKey("portfolio_risk"))
    assert event is not None
    picture = event.asset_materialization.metadata["nav_drawdown_risk_contributions"]
    assert isinstance(picture, dg.MarkdownMetadataValue)
    assert picture.value.startswith(f"![{largest} on {as_of}: NAV")
    assert "](data:image/png;base64," in picture.value
