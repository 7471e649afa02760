"""Strategies: expiry profiles by hand, POP against scipy's lognormal, margin rules, building and ranking."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest
from scipy.stats import lognorm

from valuation_platform.analytics.options.bsm import bsm_price
from valuation_platform.analytics.options.chain_metrics import enrich_chain
from valuation_platform.analytics.options.strategies import (
    Leg,
    Strategy,
    approx_margin,
    build_strategies,
    evaluate_strategy,
    expiry_profile,
    pnl_at_expiry,
    pnl_today,
    probability_of_profit,
    strategy_rows,
)

S, T, R, Q, SIGMA = 100.0, 0.25, 0.05, 0.01, 0.3


def opt(kind: str, strike: float, qty: float, price: float, iv: float = SIGMA) -> Leg:
    return Leg("option", qty, price, kind, strike, iv)


def terminal_law():
    # Independent of our code: scipy's lognormal with the risk-neutral median.
    return lognorm(s=SIGMA * np.sqrt(T), scale=S * np.exp((R - Q - 0.5 * SIGMA**2) * T))


IRON_CONDOR = Strategy(
    "iron_condor",
    (opt("P", 90, 1, 1.0), opt("P", 95, -1, 2.0), opt("C", 105, -1, 2.2), opt("C", 110, 1, 1.1)),
)


def test_iron_condor_profile_by_hand():
    assert IRON_CONDOR.net_premium == pytest.approx(2.1)
    profile = expiry_profile(IRON_CONDOR)
    assert profile["max_profit"] == pytest.approx(2.1)
    assert profile["max_loss"] == pytest.approx(5 - 2.1)
    assert profile["breakevens"] == pytest.approx([92.9, 107.1])
    np.testing.assert_allclose(
        pnl_at_expiry(IRON_CONDOR, [50, 80, 92.9, 100, 107.1, 120, 500]),
        [-2.9, -2.9, 0.0, 2.1, 0.0, -2.9, -2.9],
        atol=1e-12,
    )
    pop = probability_of_profit(IRON_CONDOR, spot=S, t_years=T, rate=R, dividend_yield=Q, sigma=SIGMA)
    law = terminal_law()
    assert pop == pytest.approx(law.cdf(107.1) - law.cdf(92.9), abs=1e-12)
    assert approx_margin(IRON_CONDOR, spot=S, max_loss=profile["max_loss"]) == pytest.approx(2.9)


def test_credit_spreads_covered_call_and_straddle():
    bull = Strategy("bull_put_spread", (opt("PE", 90, 1, 1.0), opt("PE", 95, -1, 2.0)))
    p = expiry_profile(bull)
    assert (p["max_profit"], p["max_loss"], p["breakevens"]) == (
        pytest.approx(1.0),
        pytest.approx(4.0),
        [94.0],
    )
    pop = probability_of_profit(bull, spot=S, t_years=T, rate=R, dividend_yield=Q, sigma=SIGMA)
    assert pop == pytest.approx(terminal_law().sf(94.0), abs=1e-12)

    bear = Strategy("bear_call_spread", (opt("CE", 105, -1, 2.2), opt("CE", 110, 1, 1.1)))
    p = expiry_profile(bear)
    assert (p["max_profit"], p["max_loss"], p["breakevens"]) == (
        pytest.approx(1.1),
        pytest.approx(3.9),
        [106.1],
    )

    covered = Strategy("covered_call", (Leg("underlying", 1, S), opt("C", 105, -1, 2.0)))
    p = expiry_profile(covered)
    assert p["max_profit"] == pytest.approx(7.0) and p["max_loss"] == pytest.approx(98.0)
    assert p["breakevens"] == [98.0]
    assert approx_margin(covered, spot=S, max_loss=p["max_loss"]) == pytest.approx(98.0)
    assert covered.net_premium == pytest.approx(2.0)

    straddle = Strategy("long_straddle", (opt("C", 100, 1, 4.0), opt("P", 100, 1, 3.5)))
    p = expiry_profile(straddle)
    assert p["max_profit"] is None and p["max_loss"] == pytest.approx(7.5)
    assert p["breakevens"] == [92.5, 107.5]
    row = evaluate_strategy(straddle, spot=S, t_years=T, rate=R, dividend_yield=Q, sigma=SIGMA)
    law = terminal_law()
    assert row["pop"] == pytest.approx(law.cdf(92.5) + law.sf(107.5), abs=1e-12)
    # Unbounded profit: the reward is the best P&L at the 2-sigma quantiles of S_T.
    hi = S * np.exp((R - Q - 0.5 * SIGMA**2) * T + 2 * SIGMA * np.sqrt(T))
    lo = S * np.exp((R - Q - 0.5 * SIGMA**2) * T - 2 * SIGMA * np.sqrt(T))
    assert row["risk_reward"] == pytest.approx(max(hi - 107.5, 92.5 - lo) / 7.5)
    assert row["margin"] == pytest.approx(7.5)


def test_margin_rules_naked_and_covered():
    naked_call = Strategy("naked_call", (opt("C", 110, -1, 1.5),))
    assert expiry_profile(naked_call)["max_loss"] is None
    # premium + max(20 % of 100 - 10 OTM, 10 % of 100)
    assert approx_margin(naked_call, spot=100.0, max_loss=None) == pytest.approx(1.5 + 10.0)
    naked_put = Strategy("naked_put", (opt("P", 90, -2, 1.2),))
    # Loss is bounded (90 - 1.2 per put) but the puts are uncovered: 2 x (1.2 + max(20 - 10, 9)).
    assert approx_margin(
        naked_put, spot=100.0, max_loss=expiry_profile(naked_put)["max_loss"]
    ) == pytest.approx(2 * (1.2 + 10.0))
    # A deep OTM naked put hits the 10 %-of-strike floor: 0.3 + max(20 - 30, 7).
    far_put = Strategy("naked_put", (opt("P", 70, -1, 0.3),))
    assert approx_margin(far_put, spot=100.0, max_loss=69.7) == pytest.approx(0.3 + 7.0)
    # Half covered: one of two short calls has a long call behind it.
    ratio = Strategy("ratio", (opt("C", 105, 1, 3.0), opt("C", 110, -2, 1.5)))
    assert approx_margin(ratio, spot=100.0, max_loss=None) == pytest.approx(1 * (1.5 + 10.0))


def test_pnl_today_grid():
    legs = tuple(
        opt(k, s, q, float(bsm_price(S, s, T, R, SIGMA, Q, k)))
        for k, s, q in (("P", 90, 1), ("P", 95, -1), ("C", 105, -1), ("C", 110, 1))
    )
    condor = Strategy("iron_condor", legs)
    spots = np.array([80.0, 100.0, 120.0])
    grid = pnl_today(condor, spots, [-0.1, 0.0, 0.1], t_years=T, rate=R, dividend_yield=Q)
    assert grid.shape == (3, 3)
    assert grid[1, 1] == pytest.approx(0.0, abs=1e-12)  # model-priced legs: no P&L without a move
    assert grid[2, 1] < 0 < grid[0, 1]  # short vega at the money
    straddle = Strategy(
        "long_straddle",
        (
            opt("C", 100, 1, float(bsm_price(S, 100, T, R, SIGMA, Q, "C"))),
            opt("P", 100, 1, float(bsm_price(S, 100, T, R, SIGMA, Q, "P"))),
        ),
    )
    vol_row = pnl_today(straddle, [S], [-0.1, 0.0, 0.1], t_years=T, rate=R, dividend_yield=Q)[:, 0]
    assert vol_row[0] < vol_row[1] < vol_row[2]
    # Letting all the time pass gives the expiry P&L.
    at_expiry = pnl_today(condor, spots, [0.0], t_years=T, rate=R, dividend_yield=Q, days_forward=T * 365)[0]
    np.testing.assert_allclose(at_expiry, pnl_at_expiry(condor, spots), atol=1e-12)


def _model_chain() -> pd.DataFrame:
    spot, r, q = 20000.0, 0.065, 0.01
    snap = datetime(2024, 5, 16, 10, 0, tzinfo=UTC)
    strikes = np.arange(17000.0, 23001.0, 100.0)
    forward = spot * np.exp((r - q) * 28 / 365)
    rows = []
    for kind in ("CE", "PE"):
        vols = 0.16 - 0.25 * np.log(strikes / forward)
        prices = bsm_price(spot, strikes, 28 / 365, r, vols, q, kind)
        for k, p in zip(strikes, prices, strict=True):
            rows.append(
                {
                    "underlying": "NIFTY",
                    "snapshot_ts": snap,
                    "expiry": date(2024, 6, 13),
                    "strike": k,
                    "option_type": kind,
                    "last_price": round(p, 2),
                    "bid": None,
                    "ask": None,
                    "volume": 5,
                    "open_interest": 10,
                    "underlying_price": spot,
                }
            )
    return enrich_chain(pd.DataFrame(rows), rate=r, dividend_yield=q)


def test_build_strategies_picks_legs_by_delta_and_wings_by_listed_strikes():
    chain = _model_chain()
    spot, forward = 20000.0, float(chain["forward"].iloc[0])
    built = {s.name: s for s in build_strategies(chain, spot=spot, forward=forward, wing_strikes=2)}
    assert set(built) == {
        "iron_condor",
        "bull_put_spread",
        "bear_call_spread",
        "covered_call",
        "long_straddle",
    }
    delta = {(r.option_type, r.strike): r.delta for r in chain.itertuples()}

    condor = built["iron_condor"]
    long_put, short_put, short_call, long_call = condor.legs
    otm_puts = chain[(chain.option_type == "PE") & (chain.strike < spot)]
    assert short_put.strike == otm_puts.loc[(otm_puts.delta + 0.20).abs().idxmin(), "strike"]
    assert abs(delta[("PE", short_put.strike)] + 0.20) < 0.02
    assert abs(delta[("CE", short_call.strike)] - 0.20) < 0.02
    assert long_put.strike == short_put.strike - 200 and long_call.strike == short_call.strike + 200
    assert [leg.quantity for leg in condor.legs] == [1, -1, -1, 1]
    assert abs(delta[("PE", built["bull_put_spread"].legs[1].strike)] + 0.30) < 0.02
    assert abs(delta[("CE", built["covered_call"].legs[1].strike)] - 0.30) < 0.02
    straddle = built["long_straddle"]
    assert straddle.legs[0].strike == straddle.legs[1].strike == 100 * round(forward / 100)


def test_strategy_rows_are_mart_ready_and_ranked():
    rows = strategy_rows(_model_chain())
    assert [r["rank"] for r in rows] == [1, 2, 3, 4, 5]
    ratios = [r["risk_reward"] for r in rows]
    assert ratios == sorted(ratios, reverse=True)
    expected_keys = {
        "underlying",
        "snapshot_ts",
        "expiry",
        "strategy",
        "legs",
        "net_premium",
        "max_profit",
        "max_loss",
        "breakevens",
        "pop",
        "margin",
        "risk_reward",
        "rank",
    }
    for row in rows:
        assert set(row) == expected_keys
        json.dumps(row["legs"])
        json.dumps(row["breakevens"])
        assert 0.0 < row["pop"] < 1.0
        assert row["margin"] > 0
    by_name = {r["strategy"]: r for r in rows}
    condor = by_name["iron_condor"]
    put_width = condor["legs"][1]["strike"] - condor["legs"][0]["strike"]
    call_width = condor["legs"][3]["strike"] - condor["legs"][2]["strike"]
    assert condor["max_loss"] == pytest.approx(max(put_width, call_width) - condor["net_premium"], abs=1e-9)
    assert condor["margin"] == pytest.approx(condor["max_loss"])
    assert condor["max_profit"] == pytest.approx(condor["net_premium"])
    assert by_name["long_straddle"]["net_premium"] < 0 and by_name["long_straddle"]["max_profit"] is None
