"""Each portfolio analytic against an oracle nobody here wrote: empyrical-reloaded, scikit-learn, a hand-built
OLS design solved with numpy's lstsq, and VaR on a tiny series worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from valuation_platform.analytics.portfolio import concentration as conc
from valuation_platform.analytics.portfolio import performance as perf
from valuation_platform.analytics.portfolio import risk
from valuation_platform.analytics.portfolio.factors import factor_exposures, ridge_penalty
from valuation_platform.analytics.portfolio.regression import regress
from valuation_platform.analytics.portfolio.volatility import har_forecast, realized_vol

empyrical = pytest.importorskip("empyrical")


@pytest.fixture(scope="module")
def series() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    market = rng.normal(0.0004, 0.01, 252)
    returns = 0.0002 + rng.uniform(0.3, 1.6, (6, 1)) * market + rng.normal(0, 0.012, (6, 252))
    returns[2, :30] = np.nan  # a series with a short history
    return returns, market


def test_ratios_match_empyrical(series):
    returns, market = series
    alpha, beta = perf.alpha_beta(returns, market)
    for i, r in enumerate(returns):
        assert perf.sharpe_ratio(returns)[i] == pytest.approx(empyrical.sharpe_ratio(r), abs=1e-10)
        assert perf.sortino_ratio(returns)[i] == pytest.approx(empyrical.sortino_ratio(r), abs=1e-10)
        assert perf.max_drawdown(returns)[i] == pytest.approx(empyrical.max_drawdown(r), abs=1e-10)
        assert perf.annual_return(returns)[i] == pytest.approx(empyrical.annual_return(r), abs=1e-10)
        assert perf.calmar_ratio(returns)[i] == pytest.approx(empyrical.calmar_ratio(r), abs=1e-10)
        e_alpha, e_beta = empyrical.alpha_beta(r, market)
        assert beta[i] == pytest.approx(e_beta, abs=1e-10)
        assert alpha[i] == pytest.approx(e_alpha, abs=1e-10)


def test_historical_var_cvar_match_empyrical(series):
    returns, _ = series
    full = returns[[0, 1, 3]]
    for c in (0.95, 0.99):
        for i, r in enumerate(full):
            assert risk.historical_var(full, c)[i] == pytest.approx(-empyrical.value_at_risk(r, 1 - c), abs=1e-10)
            assert risk.historical_cvar(full, c)[i] == pytest.approx(
                -empyrical.conditional_value_at_risk(r, 1 - c), abs=1e-10)


def test_var_on_a_tiny_series_by_hand():
    # 11 returns sorted: -5 -4 -3 -2 -1 0 1 2 3 4 5 (%). 5 % quantile, linear: position 0.05 x 10 = 0.5 between
    # -5 and -4 -> -4.5 %: VaR 4.5 %. CVaR: k = floor(10 x 0.05) = 0 -> the worst return alone, 5 %.
    r = np.array([[3, -1, 5, -5, 0, 2, -3, 4, -2, 1, -4]], dtype=float) / 100
    assert risk.historical_var(r, 0.95)[0] == pytest.approx(0.045)
    assert risk.historical_cvar(r, 0.95)[0] == pytest.approx(0.05)
    # mean 0, std (ddof=1) = sqrt(110/10) % = 3.3166 %; z(5 %) = -1.644854 -> VaR 5.4555 %
    assert risk.parametric_var(r, 0.95)[0] == pytest.approx(1.6448536 * np.sqrt(11.0) / 100, rel=1e-6)
    # 10-day: sqrt(10) x the 1-day historical figure
    assert risk.risk_table(r)["historical_var_95_10d"][0] == pytest.approx(0.045 * np.sqrt(10))


def test_ols_beta_matches_a_hand_solved_design(series):
    returns, market = series
    fit = regress(returns, market, min_obs=20)
    for i, y in enumerate(returns):
        ok = np.isfinite(y)
        x = np.column_stack([np.ones(ok.sum()), market[ok]])
        coef, ssr, *_ = np.linalg.lstsq(x, y[ok], rcond=None)
        n = ok.sum()
        se = np.sqrt(ssr[0] / (n - 2) * np.linalg.inv(x.T @ x)[1, 1])
        r2 = 1 - ssr[0] / np.sum((y[ok] - y[ok].mean()) ** 2)
        assert fit.coef[i, 0] == pytest.approx(coef[1], abs=1e-12)
        assert fit.intercept[i] == pytest.approx(coef[0], abs=1e-12)
        assert fit.stderr[i, 0] == pytest.approx(se, rel=1e-9)
        assert fit.r2[i] == pytest.approx(r2, abs=1e-12)
        assert fit.n_obs[i] == n


def test_ridge_matches_sklearn(series):
    from sklearn.linear_model import Ridge

    returns, market = series
    rng = np.random.default_rng(9)
    factors = np.column_stack([market, rng.normal(0, 0.004, (252, 4)) + 0.2 * market[:, None]])
    fit, penalty = factor_exposures(returns, factors)
    assert penalty == pytest.approx(ridge_penalty(factors))
    for i, y in enumerate(returns):
        ok = np.isfinite(y)
        model = Ridge(alpha=penalty, fit_intercept=True).fit(factors[ok], y[ok])
        np.testing.assert_allclose(fit.coef[i], model.coef_, atol=1e-10)
        assert fit.intercept[i] == pytest.approx(model.intercept_, abs=1e-12)


def test_har_forecast_matches_a_hand_built_regression():
    rng = np.random.default_rng(3)
    r = rng.normal(0, 0.01, 200) * np.exp(np.sin(np.arange(200) / 15))
    rv = r**2
    got = har_forecast(r[None, :])
    for h in (1, 5, 21):
        rows, targets = [], []
        for t in range(21, 200 - h):
            rows.append([1.0, rv[t], rv[t - 4 : t + 1].mean(), rv[t - 21 : t + 1].mean()])
            targets.append(rv[t + 1 : t + 1 + h].mean())
        coef, *_ = np.linalg.lstsq(np.array(rows), np.array(targets), rcond=None)
        latest = np.array([1.0, rv[-1], rv[-5:].mean(), rv[-22:].mean()])
        expected = np.sqrt(max(latest @ coef, 0.1 * rv.mean()) * 252)
        assert got[h][0] == pytest.approx(expected, rel=1e-9)


def test_realized_vol_and_concentration_by_hand():
    r = np.array([[0.01, -0.01, 0.02, 0.0]])
    # mean 0.005, deviations .005 -.015 .015 -.005 -> ss = 0.0005, /3, sqrt, x sqrt(252)
    assert realized_vol(r, 4)[0] == pytest.approx(np.sqrt(0.0005 / 3) * np.sqrt(252))
    c = conc.concentration(np.array([50.0, -30.0, 20.0]))  # shares .5 .3 .2
    assert c["hhi"][0] == pytest.approx(0.25 + 0.09 + 0.04)
    assert c["effective_positions"][0] == pytest.approx(1 / 0.38)
    corr = np.array([[1, 0.5, 0.0], [0.5, 1, -0.5], [0.0, -0.5, 1]])
    rho, score = conc.diversification(np.array([[0.5, 0.3, 0.2]]), corr[None])
    # pairs: 2 x (.15 x .5 + .1 x 0 + .06 x -.5) / 2 x (.15 + .1 + .06) = (.075 - .03) / .31
    assert rho[0] == pytest.approx(0.045 / 0.31)
    assert score[0] == pytest.approx(100 * (1 - 0.045 / 0.31))


def test_pairs_are_kept_for_the_largest_positions_by_gross_exposure():
    # gross 5, 30, 10, 1, 30, NaN: the three largest are the two 30s (short and long) and the 10, in book order
    exposure = np.array([5.0, -30.0, 10.0, 1.0, 30.0, np.nan])
    assert conc.largest_positions(exposure, 3).tolist() == [1, 2, 4]
    assert conc.largest_positions(exposure, 1).tolist() == [1]  # a tie: the earlier position
    assert conc.largest_positions(exposure, 10).tolist() == [0, 1, 2, 3, 4, 5]  # a small book: every position
