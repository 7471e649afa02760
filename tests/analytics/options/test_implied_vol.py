"""Implied volatility: round trips to 1e-8, agreement with py_vollib, and every status."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from valuation_platform.analytics.options.bsm import bsm_greeks, bsm_price
from valuation_platform.analytics.options.implied_vol import IVStatus, implied_volatility, quote_price


def test_round_trip_to_1e_8_on_a_wide_grid():
    S, r, q = 100.0, 0.05, 0.02
    K, T, sigma, kind = (
        np.array(c)
        for c in zip(
            *itertools.product(
                (40.0, 70.0, 90.0, 99.0, 100.0, 101.0, 110.0, 140.0, 250.0),
                (1 / (365 * 24), 1 / 365, 7 / 365, 0.25, 1.0, 5.0),
                (0.005, 0.05, 0.15, 0.4, 1.0, 2.5, 5.0),
                ("C", "P"),
            ),
            strict=True,
        )
    )
    price = bsm_price(S, K, T, r, sigma, q, kind)
    iv, status = implied_volatility(price, S, K, T, r, q, kind)
    ok = status == IVStatus.OK
    # Where the price identifies the vol at all (vega not lost in rounding), the vol comes back to 1e-8.
    identifiable = bsm_greeks(S, K, T, r, sigma, q, kind).vega * 100 > 1e-6 * S
    assert identifiable.sum() > 400
    assert ok[identifiable].all()
    np.testing.assert_allclose(iv[identifiable], sigma[identifiable], rtol=0, atol=1e-8)
    # Everywhere an IV was found, it reprices the input to 1e-8.
    repriced = bsm_price(S, K[ok], T[ok], r, iv[ok], q, kind[ok])
    np.testing.assert_allclose(repriced, price[ok], rtol=0, atol=1e-8)
    # Nothing is silently NaN: a NaN IV always comes with a reason.
    assert (np.isnan(iv) == ~ok).all()
    assert set(np.unique(status[~ok])) <= {IVStatus.NO_PRICE, IVStatus.BELOW_INTRINSIC, IVStatus.ABOVE_BOUND}


def test_random_contracts_round_trip():
    rng = np.random.default_rng(5)
    n = 20_000
    S = rng.uniform(10, 50_000, n)
    K = S * np.exp(rng.normal(0, 0.25, n))
    T = rng.uniform(1 / 365, 2.0, n)
    sigma = rng.uniform(0.05, 1.5, n)
    r, q = rng.uniform(0, 0.1, n), rng.uniform(0, 0.04, n)
    kind = np.where(rng.random(n) < 0.5, "CE", "PE")
    price = bsm_price(S, K, T, r, sigma, q, kind)
    iv, status = implied_volatility(price, S, K, T, r, q, kind)
    identifiable = bsm_greeks(S, K, T, r, sigma, q, kind).vega * 100 > 1e-6 * S
    assert (status[identifiable] == "OK").all()
    np.testing.assert_allclose(iv[identifiable], sigma[identifiable], rtol=0, atol=1e-8)


def test_agrees_with_py_vollib():
    ref = pytest.importorskip("py_vollib.black_scholes_merton.implied_volatility")
    cases = [
        (100.0, 90.0, 0.5, 0.03, 0.01, 0.25, "c"),
        (100.0, 120.0, 0.1, 0.03, 0.0, 0.6, "c"),
        (19068.5, 19100.0, 7 / 365, 0.04, 0.0, 0.55, "p"),
        (250.0, 200.0, 2.0, 0.05, 0.02, 0.35, "p"),
        (42.0, 40.0, 0.5, 0.10, 0.0, 0.2, "c"),
    ]
    for S, K, T, r, q, sigma, flag in cases:
        price = float(bsm_price(S, K, T, r, sigma, q, flag.upper()))
        ours, status = implied_volatility(price, S, K, T, r, q, flag.upper())
        assert status == "OK"
        assert float(ours) == pytest.approx(ref.implied_volatility(price, S, K, T, r, q, flag), abs=1e-8)


def test_statuses_for_unusable_prices():
    S, T, r, q = 100.0, 1.0, 0.05, 0.0
    cases = [
        # (price, K, T, type, expected)
        (23.0, 80.0, T, "C", IVStatus.BELOW_INTRINSIC),  # discounted intrinsic = 100 - 80 e^-0.05 = 23.90
        (100.0 - 80.0 * np.exp(-0.05), 80.0, T, "C", IVStatus.BELOW_INTRINSIC),  # no time value at all
        (10.0, 120.0, T, "P", IVStatus.BELOW_INTRINSIC),  # 120 e^-0.05 - 100 = 14.15
        (101.0, 80.0, T, "C", IVStatus.ABOVE_BOUND),  # call > S e^{-qT}
        (77.0, 80.0, T, "P", IVStatus.ABOVE_BOUND),  # put > K e^{-rT} = 76.10
        (np.nan, 100.0, T, "C", IVStatus.NO_PRICE),
        (0.0, 100.0, T, "C", IVStatus.NO_PRICE),
        (-1.0, 100.0, T, "P", IVStatus.NO_PRICE),
        (5.0, 100.0, 0.0, "C", IVStatus.EXPIRED),
        (5.0, 100.0, -0.01, "P", IVStatus.EXPIRED),
        (5.0, 0.0, T, "C", IVStatus.INVALID_INPUT),
        (5.0, np.nan, T, "C", IVStatus.INVALID_INPUT),
        (10.0, 100.0, T, "C", IVStatus.OK),
    ]
    price, K, TT, kind, expected = (np.array(c, dtype=object) for c in zip(*cases, strict=True))
    iv, status = implied_volatility(
        price.astype(float), S, K.astype(float), TT.astype(float), r, q, kind.astype(str)
    )
    assert list(status) == [e.value for e in expected]
    assert np.isnan(iv[:-1]).all() and 0.0 < iv[-1] < 1.0


def test_quote_price_prefers_mid_then_last():
    price = quote_price(
        bid=[1.0, 0.0, None, 2.0, 0.0, np.nan],
        ask=[1.2, 1.2, 1.5, None, 0.0, np.nan],
        last=[9.0, 1.15, 1.4, 0.0, 0.0, None],
    )
    np.testing.assert_allclose(price[:3], [1.1, 1.15, 1.4])
    assert np.isnan(price[3:]).all()
    iv, status = implied_volatility(price, 100.0, 100.0, 0.1, 0.0, 0.0, "C")
    assert list(status[3:]) == ["NO_PRICE"] * 3


def test_shapes_broadcast():
    strikes = np.array([[90.0, 100.0, 110.0]])
    prices = bsm_price(100.0, strikes, np.array([[0.25], [1.0]]), 0.02, 0.3, 0.0, "C")
    iv, status = implied_volatility(prices, 100.0, strikes, np.array([[0.25], [1.0]]), 0.02, 0.0, "C")
    assert iv.shape == status.shape == (2, 3)
    np.testing.assert_allclose(iv, 0.3, atol=1e-10)
