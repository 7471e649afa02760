"""Volatility contributions (Euler allocation) by hand: two uncorrelated holdings, and a hedge."""

from __future__ import annotations

import math

import numpy as np
import pytest

from valuation_platform.analytics.portfolio.risk import volatility_contributions
from valuation_platform.analytics.portfolio.volatility import realized_vol

A, B = 0.01, 0.02
# r1 alternates +-a, r2 runs +b, +b, -b, -b: both mean 0, so with ddof=1 over 4 days
# var1 = 4 a^2 / 3, var2 = 4 b^2 / 3, cov = (ab - ab - ab + ab) / 3 = 0
R = np.array([[A, -A, A, -A], [B, B, -B, -B]])


def test_uncorrelated_holdings_by_hand() -> None:
    # w = (0.6, 0.4): sigma_p^2 = 0.36 * 4e-4 / 3 + 0.16 * 16e-4 / 3 = 4e-4 / 3, sigma_p = 0.02 / sqrt(3)
    # c_i = w_i^2 var_i / sigma_p (daily): c1 = 1.44e-4 / (0.02 sqrt 3) = 0.0072 / sqrt 3, c2 = 0.0128 / sqrt 3
    got = volatility_contributions(np.array([0.6, 0.4]), R)
    annual = math.sqrt(252)
    assert got == pytest.approx([0.0072 / math.sqrt(3) * annual, 0.0128 / math.sqrt(3) * annual], rel=1e-12)
    assert got.sum() == pytest.approx(0.02 / math.sqrt(3) * annual, rel=1e-12)


def test_a_hedge_contributes_negatively_and_the_sum_is_the_backcast_volatility() -> None:
    # the same series held long 1.0 and short 0.5: the book is 0.5 r1, sigma_p = 0.5 sigma1, sigma1 = 2a / sqrt 3;
    # c1 = 1.0 (sigma1^2 - 0.5 sigma1^2) / (0.5 sigma1) = sigma1, c2 = -0.5 (0.5 sigma1^2) / (0.5 sigma1) = -0.5 sigma1
    sigma1 = 2 * A / math.sqrt(3) * math.sqrt(252)
    got = volatility_contributions(np.array([1.0, -0.5]), np.array([R[0], R[0]]))
    assert got == pytest.approx([sigma1, -0.5 * sigma1], rel=1e-12)
    # the portfolio figure of the risk table, from the back-cast series by another route (its std)
    w = np.array([0.6, 0.4])
    assert volatility_contributions(w, R).sum() == pytest.approx(realized_vol((w @ R)[None, :], 4)[0], rel=1e-12)


def test_a_missing_return_counts_as_zero_and_a_flat_book_contributes_nothing() -> None:
    with_gap = np.array([[A, np.nan, A, -A], [B, B, -B, -B]])
    assert volatility_contributions(np.array([1.0, 0.0]), with_gap) == pytest.approx(
        volatility_contributions(np.array([1.0, 0.0]), np.array([[A, 0.0, A, -A], [B, B, -B, -B]])))
    assert volatility_contributions(np.array([0.0, 0.0]), R).tolist() == [0.0, 0.0]
