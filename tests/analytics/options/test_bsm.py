"""BSM prices and Greeks against py_vollib, Hull's worked examples, parity and finite differences."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from valuation_platform.analytics.options.bsm import bsm_greeks, bsm_price, option_sign

bsm_ref = pytest.importorskip("py_vollib.black_scholes_merton")
greeks_ref = pytest.importorskip("py_vollib.black_scholes_merton.greeks.analytical")

GRID = list(
    itertools.product(
        (0.6, 0.8, 0.95, 1.0, 1.05, 1.25, 1.6),  # K / S
        (7 / 365, 0.25, 1.0, 3.0),  # T
        (0.05, 0.2, 0.45, 1.0),  # sigma
        (0.0, 0.03),  # q
        ("c", "p"),
    )
)


def _grid_arrays():
    k_over_s, t, sigma, q, flag = (np.array(col) for col in zip(*GRID, strict=True))
    return 100.0 * k_over_s, t, sigma, q, flag


def test_prices_and_greeks_match_py_vollib_to_1e_8():
    S, r = 100.0, 0.05
    K, T, sigma, q, flag = _grid_arrays()
    ours = bsm_greeks(S, K, T, r, sigma, q, np.char.upper(flag))
    ref = {name: [] for name in ("price", "delta", "gamma", "theta", "vega", "rho")}
    for k, t, v, qq, f in GRID:
        kk = 100.0 * k
        ref["price"].append(bsm_ref.black_scholes_merton(f, S, kk, t, r, v, qq))
        for name in ("delta", "gamma", "theta", "vega", "rho"):
            ref[name].append(getattr(greeks_ref, name)(f, S, kk, t, r, v, qq))
    np.testing.assert_allclose(ours.price, ref["price"], rtol=0, atol=1e-8)
    np.testing.assert_allclose(ours.delta, ref["delta"], rtol=0, atol=1e-8)
    np.testing.assert_allclose(ours.gamma, ref["gamma"], rtol=0, atol=1e-8)
    np.testing.assert_allclose(ours.vega, ref["vega"], rtol=0, atol=1e-8)  # both per vol point
    np.testing.assert_allclose(ours.rho, ref["rho"], rtol=0, atol=1e-8)  # both per 1 % rate move
    np.testing.assert_allclose(ours.theta_per_day, ref["theta"], rtol=0, atol=1e-8)  # py_vollib: per day
    np.testing.assert_allclose(ours.theta, 365.0 * np.array(ref["theta"]), rtol=0, atol=365e-8)


def test_hull_price_example_call_476_put_081():
    # Hull, Options, Futures and Other Derivatives: S=42, K=40, r=10 %, sigma=20 %, T=0.5.
    call = bsm_price(42.0, 40.0, 0.5, 0.10, 0.20, 0.0, "C")
    put = bsm_price(42.0, 40.0, 0.5, 0.10, 0.20, 0.0, "PE")
    assert round(float(call), 2) == 4.76
    assert round(float(put), 2) == 0.81


def test_hull_index_option_with_dividend_yield():
    # Hull's index option example: S=930, K=900, r=8 %, q=3 %, sigma=20 %, T=2 months -> c = 51.83.
    call = bsm_price(930.0, 900.0, 2 / 12, 0.08, 0.20, 0.03, "CE")
    assert round(float(call), 2) == 51.83


def test_hull_greek_letters_example():
    # Hull's Greek letters chapter: S=49, K=50, r=5 %, sigma=20 %, T=20 weeks, a call.
    g = bsm_greeks(49.0, 50.0, 20 / 52, 0.05, 0.20, 0.0, "C")
    assert round(float(g.price), 2) == 2.40
    assert round(float(g.delta), 3) == 0.522
    assert round(float(g.gamma), 3) == 0.066
    assert round(float(g.theta), 2) == -4.31  # per year
    assert round(float(g.theta_per_day), 4) == -0.0118
    assert round(float(g.vega) * 100, 1) == 12.1  # Hull quotes per 1.00 of sigma; ours is per vol point
    assert round(float(g.rho) * 100, 2) == 8.91  # Hull quotes per 1.00 of r; ours is per 1 %


def test_put_call_parity_on_a_grid():
    S, r = 100.0, 0.04
    K, T, sigma, q, _ = _grid_arrays()
    call = bsm_price(S, K, T, r, sigma, q, "C")
    put = bsm_price(S, K, T, r, sigma, q, "P")
    np.testing.assert_allclose(call - put, S * np.exp(-q * T) - K * np.exp(-r * T), rtol=0, atol=1e-10)
    g_c, g_p = bsm_greeks(S, K, T, r, sigma, q, "C"), bsm_greeks(S, K, T, r, sigma, q, "P")
    np.testing.assert_allclose(g_c.delta - g_p.delta, np.exp(-q * T), atol=1e-12)
    np.testing.assert_allclose(g_c.gamma, g_p.gamma, rtol=1e-12)
    np.testing.assert_allclose(g_c.vega, g_p.vega, rtol=1e-12)


def test_greeks_equal_finite_differences_of_the_price():
    S, K, T, r, sigma, q = 100.0, np.array([80.0, 100.0, 125.0]), 0.75, 0.03, 0.3, 0.02
    for kind in ("C", "P"):
        g = bsm_greeks(S, K, T, r, sigma, q, kind)

        def p(kind=kind, **kw):
            args = dict(S=S, K=K, T=T, r=r, sigma=sigma, q=q)
            args.update(kw)
            return bsm_price(args["S"], args["K"], args["T"], args["r"], args["sigma"], args["q"], kind)

        h = 1e-4
        np.testing.assert_allclose(g.delta, (p(S=S + h) - p(S=S - h)) / (2 * h), atol=1e-7)
        np.testing.assert_allclose(g.gamma, (p(S=S + h) - 2 * p() + p(S=S - h)) / h**2, atol=1e-4)
        np.testing.assert_allclose(g.theta, -(p(T=T + h) - p(T=T - h)) / (2 * h), atol=1e-6)
        np.testing.assert_allclose(
            g.vega, 0.01 * (p(sigma=sigma + h) - p(sigma=sigma - h)) / (2 * h), atol=1e-8
        )
        np.testing.assert_allclose(g.rho, 0.01 * (p(r=r + h) - p(r=r - h)) / (2 * h), atol=1e-8)


def test_broadcasting_and_labels():
    spots = np.array([[90.0], [100.0], [110.0]])
    strikes = np.array([95.0, 100.0, 105.0, 110.0])
    prices = bsm_price(spots, strikes, 0.5, 0.05, 0.25, 0.0, "CE")
    assert prices.shape == (3, 4)
    assert prices[2, 0] == pytest.approx(float(bsm_price(110.0, 95.0, 0.5, 0.05, 0.25, 0.0, "C")), abs=1e-14)
    mixed = bsm_price(100.0, 100.0, 0.5, 0.05, 0.25, 0.0, np.array(["C", "CE", "call", "P", "PE", "put"]))
    assert mixed[0] == mixed[1] == mixed[2] and mixed[3] == mixed[4] == mixed[5] and mixed[0] > mixed[3]
    np.testing.assert_array_equal(option_sign([True, False]), [1.0, -1.0])
    with pytest.raises(ValueError, match="unknown option type"):
        option_sign(["C", "X"])


def test_expired_and_zero_vol_limits():
    S, K = 100.0, np.array([90.0, 110.0])
    expired_call = bsm_greeks(S, K, 0.0, 0.05, 0.2, 0.0, "C")
    np.testing.assert_array_equal(expired_call.price, [10.0, 0.0])
    np.testing.assert_array_equal(expired_call.delta, [1.0, 0.0])
    np.testing.assert_array_equal(expired_call.gamma, [0.0, 0.0])
    T, r, q = 0.5, 0.05, 0.01
    flat_put = bsm_greeks(S, K, T, r, 0.0, q, "P")
    fwd_intrinsic = np.maximum(K * np.exp(-r * T) - S * np.exp(-q * T), 0.0)
    np.testing.assert_allclose(flat_put.price, fwd_intrinsic, atol=1e-12)
    # Zero vol is the limit of small vols.
    np.testing.assert_allclose(flat_put.price, bsm_price(S, K, T, r, 1e-6, q, "P"), atol=1e-9)
    np.testing.assert_allclose(flat_put.delta, bsm_greeks(S, K, T, r, 1e-6, q, "P").delta, atol=1e-9)
    assert np.isfinite(flat_put.theta).all() and np.isfinite(expired_call.theta).all()
