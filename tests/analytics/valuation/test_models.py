"""The valuation models against examples worked out by hand (the numbers are written out here)."""

import numpy as np
import pytest

from valuation_platform.analytics.valuation.models import (
    EXCESS_RETURN,
    FCFF,
    excess_return_value,
    fcff_value,
    model_for,
    upside_pct,
    value_scenarios,
)


def npv(rate: float, cash_flows: list[float]) -> float:
    """numpy_financial.npv's convention, written out: the first flow is at t = 0, undiscounted."""
    return sum(cf / (1 + rate) ** t for t, cf in enumerate(cash_flows))


# Revenue 1,000 growing 10% a year for 3 years, EBIT margin 20%, tax 25%, 40% of NOPAT reinvested.
# Ke = 6% + 1.0 x 5% = 11%; after-tax Kd = 8% x 0.75 = 6%; WACC = 0.8 x 11% + 0.2 x 6% = 10%.
HAND_DCF = {
    "revenue": np.array([1000.0]), "growth": np.array([0.10]), "ebit_margin": np.array([0.20]),
    "reinvestment_rate": np.array([0.40]), "tax_rate": np.array([0.25]), "risk_free": np.array([0.06]),
    "beta": np.array([1.0]), "equity_risk_premium": np.array([0.05]), "cost_of_debt": np.array([0.08]),
    "debt_weight": np.array([0.20]), "terminal_growth": np.array([0.04]), "cash": np.array([200.0]),
    "debt": np.array([300.0]), "diluted_shares": np.array([10.0]),
}
# Revenue 1,100 / 1,210 / 1,331; EBIT 220 / 242 / 266.2; NOPAT 165 / 181.5 / 199.65;
# FCFF = NOPAT x 0.6 = 99 / 108.9 / 119.79. TV at end of year 3 = 119.79 x 1.04 / (0.10 - 0.04) = 2,076.36.
FCFF_BY_HAND = [99.0, 108.9, 119.79]
TV_BY_HAND = 2076.36
# PVs: 99/1.1 = 90, 108.9/1.21 = 90, 119.79/1.331 = 90; TV 2,076.36/1.331 = 1,560. EV = 1,830.
# Equity = 1,830 + 200 - 300 = 1,730; 10 diluted shares -> 173.00 a share.


def test_dcf_three_years_by_hand_and_against_an_independent_npv():
    out = fcff_value(years=3, **HAND_DCF)
    np.testing.assert_allclose(out["fcff"][0], FCFF_BY_HAND, rtol=1e-12)
    assert out["wacc"][0] == pytest.approx(0.10, abs=1e-15)
    assert out["terminal_value"][0] == pytest.approx(TV_BY_HAND, rel=1e-12)
    assert out["pv_explicit"][0] == pytest.approx(270.0, rel=1e-12)
    assert out["pv_terminal"][0] == pytest.approx(1560.0, rel=1e-12)
    assert out["enterprise_value"][0] == pytest.approx(1830.0, rel=1e-12)
    assert out["equity_value"][0] == pytest.approx(1730.0, rel=1e-12)
    assert out["value_per_share"][0] == pytest.approx(173.0, rel=1e-12)
    # The same EV as an NPV of year-end flows with the terminal value in year 3 (t = 0 flow is 0).
    assert out["enterprise_value"][0] == pytest.approx(npv(0.10, [0.0, 99.0, 108.9, 119.79 + 2076.36]), rel=1e-12)


def test_mid_year_switch_moves_only_the_explicit_flows_half_a_year():
    end = fcff_value(years=3, **HAND_DCF)
    mid = fcff_value(years=3, mid_year=True, **HAND_DCF)
    # Each explicit PV of 90 is pulled forward half a year: 270 x 1.1^0.5 = 283.178...; TV stays 1,560.
    assert mid["pv_explicit"][0] == pytest.approx(270.0 * 1.1 ** 0.5, rel=1e-12)
    assert mid["pv_terminal"][0] == pytest.approx(1560.0, rel=1e-12)
    assert mid["value_per_share"][0] == pytest.approx((270.0 * 1.1 ** 0.5 + 1560.0 + 200 - 300) / 10, rel=1e-12)
    assert end["value_per_share"][0] == pytest.approx(173.0, rel=1e-12)  # off by default


def test_dcf_is_vectorised_and_paths_per_year_are_honoured():
    two = {k: np.repeat(v, 2) for k, v in HAND_DCF.items()}
    # Company 2: growth path 10%, 10%, 0% -> revenue 1,100 / 1,210 / 1,210, FCFF 99 / 108.9 / 108.9.
    two["growth"] = np.array([[0.10, 0.10, 0.10], [0.10, 0.10, 0.0]])
    out = fcff_value(years=3, **two)
    assert out["value_per_share"][0] == pytest.approx(173.0, rel=1e-12)
    ev2 = npv(0.10, [0.0, 99.0, 108.9, 108.9 + 108.9 * 1.04 / 0.06])
    assert out["enterprise_value"][1] == pytest.approx(ev2, rel=1e-12)


def test_terminal_growth_at_or_above_wacc_has_no_value():
    bad = dict(HAND_DCF, terminal_growth=np.array([0.10]))
    assert np.isnan(fcff_value(years=3, **bad)["value_per_share"][0])


# Bank: book 1,000, ROE 15%, payout 40%, Ke = 6% + 1.0 x 6% = 12%, g = 5%, 3 years, 100 shares.
HAND_BANK = {
    "book_value": np.array([1000.0]), "roe": np.array([0.15]), "payout_ratio": np.array([0.40]),
    "risk_free": np.array([0.06]), "beta": np.array([1.0]), "equity_risk_premium": np.array([0.06]),
    "terminal_growth": np.array([0.05]), "diluted_shares": np.array([100.0]),
}


def test_excess_return_by_hand():
    out = excess_return_value(years=3, **HAND_BANK)
    # Opening book 1,000 -> 1,090 -> 1,188.1 (retains 60% of a 15% ROE: x 1.09); closing year 3 1,295.029.
    # Excess return (15% - 12%) x opening book: 30, 32.7, 35.643.
    np.testing.assert_allclose(out["excess_return"][0], [30.0, 32.7, 35.643], rtol=1e-12)
    np.testing.assert_allclose(out["closing_book"][0], [1090.0, 1188.1, 1295.029], rtol=1e-12)
    # TV at end of year 3 = 0.03 x 1,295.029 / (0.12 - 0.05) = 38.85087 / 0.07.
    assert out["terminal_value"][0] == pytest.approx(38.85087 / 0.07, rel=1e-12)
    pv = 30.0 / 1.12 + 32.7 / 1.2544 + 35.643 / 1.404928
    pv_tv = (38.85087 / 0.07) / 1.404928
    assert out["pv_explicit"][0] == pytest.approx(pv, rel=1e-12)
    assert out["value_per_share"][0] == pytest.approx((1000.0 + pv + pv_tv) / 100, rel=1e-12)
    assert out["value_per_share"][0] == pytest.approx(14.7327, abs=5e-5)  # (1,000 + 78.224 + 395.047) / 100


def test_a_bank_earning_its_cost_of_equity_is_worth_its_book():
    flat = dict(HAND_BANK, roe=np.array([0.12]))
    assert excess_return_value(years=5, **flat)["value_per_share"][0] == pytest.approx(10.0, rel=1e-12)


def test_banks_are_valued_on_excess_returns_and_others_on_fcff():
    assert model_for("FINANCIALS") == EXCESS_RETURN
    assert model_for("TECHNOLOGY") == FCFF
    assert model_for("SERVICES") == FCFF
    assert model_for(None) == FCFF


def test_scenarios_shift_inputs_and_upside_is_against_cmp():
    scen = value_scenarios(FCFF, HAND_DCF, {"bull": {"growth": 0.02}, "base": {}, "bear": {"growth": -0.02}},
                           years=3)
    assert scen["base"][0] == pytest.approx(173.0, rel=1e-12)
    # Bear: growth 8%: revenue 1,080 / 1,166.4 / 1,259.712; FCFF = revenue x 0.2 x 0.75 x 0.6 = x 0.09.
    fcff = [1080 * 0.09, 1166.4 * 0.09, 1259.712 * 0.09]
    ev = npv(0.10, [0.0, fcff[0], fcff[1], fcff[2] + fcff[2] * 1.04 / 0.06])
    assert scen["bear"][0] == pytest.approx((ev - 100) / 10, rel=1e-12)
    assert scen["bull"][0] > scen["base"][0] > scen["bear"][0]
    np.testing.assert_allclose(upside_pct(np.array([173.0, 50.0]), np.array([138.4, 0.0])), [25.0, np.nan])
    with pytest.raises(ValueError):
        value_scenarios(FCFF, HAND_DCF, {"bull": {"roe": 0.01}}, years=3)
