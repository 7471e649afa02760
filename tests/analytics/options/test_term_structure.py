"""Constant-maturity ATM IV: total-variance interpolation, flat ends, short expiries left out."""

from __future__ import annotations

import math

import pytest

from valuation_platform.analytics.options.term_structure import atm_iv_by_snapshot, constant_maturity_iv


def test_interpolates_total_variance_between_bracketing_expiries():
    t = [14 / 365, 42 / 365, 91 / 365]
    iv = [0.20, 0.16, 0.18]
    target = 30 / 365
    w0, w1 = 0.20**2 * t[0], 0.16**2 * t[1]
    expected = math.sqrt((w0 + (w1 - w0) * (target - t[0]) / (t[1] - t[0])) / target)
    assert constant_maturity_iv(t, iv) == pytest.approx(expected, rel=1e-15)
    # Unsorted input gives the same answer.
    assert constant_maturity_iv(t[::-1], iv[::-1]) == pytest.approx(expected, rel=1e-15)


def test_flat_beyond_the_listed_range_and_exact_on_a_node():
    assert constant_maturity_iv([45 / 365, 80 / 365], [0.3, 0.25]) == 0.3
    assert constant_maturity_iv([8 / 365, 20 / 365], [0.3, 0.25]) == 0.25
    assert constant_maturity_iv([10 / 365, 30 / 365, 60 / 365], [0.4, 0.22, 0.2]) == pytest.approx(0.22)


def test_short_expiries_are_skipped_unless_alone():
    # The 2-day expiry's 60 % ATM IV would dominate; with a 40-day expiry present it is left out.
    assert constant_maturity_iv([2 / 365, 40 / 365], [0.60, 0.20]) == 0.20
    assert constant_maturity_iv([2 / 365], [0.60]) == 0.60
    assert constant_maturity_iv([0.0, 0.1], [float("nan"), None]) is None  # type: ignore[list-item]


def test_grouped_by_snapshot_from_metric_rows():
    rows = [
        {"underlying": "X", "snapshot_ts": 1, "t_years": 20 / 365, "atm_iv": 0.2},
        {"underlying": "X", "snapshot_ts": 1, "t_years": 50 / 365, "atm_iv": 0.2},
        {"underlying": "X", "snapshot_ts": 1, "t_years": 80 / 365, "atm_iv": None},
        {"underlying": "Y", "snapshot_ts": 1, "t_years": 0.0, "atm_iv": None},
    ]
    out = atm_iv_by_snapshot(rows)
    assert out[("X", 1)] == {"atm_iv_30d": pytest.approx(0.2), "n_expiries": 2}
    assert out[("Y", 1)] == {"atm_iv_30d": None, "n_expiries": 0}
