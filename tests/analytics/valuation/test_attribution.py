"""Attribution of a value change by input: hand examples; contributions + interaction = total."""

import numpy as np
import pytest

from valuation_platform.analytics.valuation.attribution import SHAPLEY, attribute
from valuation_platform.analytics.valuation.models import fcff_value, upside_pct
from tests.analytics.valuation.test_models import HAND_DCF


def product(inputs):
    return inputs["x"] * inputs["y"]


def test_one_at_a_time_shows_the_interaction_as_its_own_line():
    # f = x * y: 2 x 3 = 6 -> 3 x 5 = 15, total 9. x alone: 3 x 3 - 6 = 3; y alone: 2 x 5 - 6 = 4;
    # interaction (dx x dy) = 1 x 2 = 2.
    out = attribute(product, {"x": np.array([2.0]), "y": np.array([3.0])},
                    {"x": np.array([3.0]), "y": np.array([5.0])}, {"x": ["x"], "y": ["y"]})
    assert out["x"][0] == 3.0 and out["y"][0] == 4.0 and out["interaction"][0] == 2.0 and out["total"][0] == 9.0


def test_shapley_splits_the_interaction_between_the_factors():
    # x: average of (9 - 6) and (15 - 10) = 4; y: average of (10 - 6) and (15 - 9) = 5; 4 + 5 = 9.
    out = attribute(product, {"x": np.array([2.0]), "y": np.array([3.0])},
                    {"x": np.array([3.0]), "y": np.array([5.0])}, {"x": ["x"], "y": ["y"]}, method=SHAPLEY)
    assert out["x"][0] == pytest.approx(4.0) and out["y"][0] == pytest.approx(5.0)
    assert out["interaction"][0] == pytest.approx(0.0, abs=1e-12)


def dcf_value(inputs):
    return fcff_value(years=3, **inputs)["value_per_share"]


FACTORS = {"growth": ["growth"], "margin": ["ebit_margin"], "wacc": ["risk_free", "beta", "equity_risk_premium",
                                                                     "cost_of_debt", "debt_weight"]}


def test_a_wacc_move_alone_is_all_wacc():
    # WACC 10% -> 11% (Ke 11% -> 12.25% via the risk-free rate: 0.8 x 12.25% + 0.2 x 6% = 11%).
    new = dict(HAND_DCF, risk_free=np.array([0.0725]))
    out = attribute(dcf_value, HAND_DCF, new, FACTORS)
    # By hand at 11%: PVs 99/1.11 + 108.9/1.2321 + 119.79/1.367631, TV 119.79 x 1.04 / 0.07 / 1.367631.
    ev = 99 / 1.11 + 108.9 / 1.2321 + 119.79 / 1.367631 + 119.79 * 1.04 / 0.07 / 1.367631
    assert out["total"][0] == pytest.approx((ev - 100) / 10 - 173.0, rel=1e-12)
    assert out["wacc"][0] == out["total"][0]
    assert out["growth"][0] == 0.0 and out["margin"][0] == 0.0 and out["interaction"][0] == 0.0


def test_contributions_and_interaction_add_up_exactly_and_unnamed_inputs_go_to_other():
    new = dict(HAND_DCF, growth=np.array([0.12]), ebit_margin=np.array([0.18]), risk_free=np.array([0.065]),
               cash=np.array([250.0]))
    for method in ("one_at_a_time", SHAPLEY):
        out = attribute(dcf_value, HAND_DCF, new, FACTORS, method=method)
        parts = out["growth"] + out["margin"] + out["wacc"] + out["other"] + out["interaction"]
        assert parts[0] == pytest.approx(out["total"][0], abs=1e-12)
        assert out["other"][0] == pytest.approx(5.0, rel=1e-12)  # +50 cash over 10 shares, additive: no interaction
    assert out["growth"][0] > 0 > out["margin"][0] and out["wacc"][0] < 0


def test_cmp_applies_to_upside():
    def upside(inputs):
        return upside_pct(dcf_value(inputs), inputs["cmp"])

    old = dict(HAND_DCF, cmp=np.array([138.4]))  # 173 / 138.4 - 1 = +25%
    new = dict(HAND_DCF, cmp=np.array([173.0]))  # 0%
    out = attribute(upside, old, new, {**FACTORS, "cmp": ["cmp"]})
    assert out["cmp"][0] == pytest.approx(-25.0, rel=1e-12)
    assert out["growth"][0] == out["margin"][0] == out["wacc"][0] == out["interaction"][0] == 0.0
