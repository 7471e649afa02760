"""Value at risk and expected shortfall of daily returns, reported as POSITIVE fractions of NAV.

Historical (the conventions of empyrical-reloaded, matched to 1e-10 in the tests):

* VaR_c = -(the (1-c) quantile of the daily returns, numpy's linearly interpolated percentile), i.e.
  ``-empyrical.value_at_risk(r, 1 - c)``;
* CVaR_c = -(mean of the k + 1 worst returns, k = floor((n - 1)(1 - c))), i.e.
  ``-empyrical.conditional_value_at_risk(r, 1 - c)``: the order-statistic tail, not a mix of a parametric
  threshold and an empirical tail (quantstats#547).

Parametric (normal): with the sample mean mu and std sigma (ddof=1), VaR_c = -(mu + z sigma) with
z = Phi^-1(1 - c), and CVaR_c = -(mu - sigma phi(z) / (1 - c)).

h-day figures: the parametric ones scale the moments (mu h, sigma sqrt(h)); the historical ones scale the
1-day figure by sqrt(h) (the square-root-of-time rule; overlapping h-day windows would need years of data).
"""

from __future__ import annotations

import numpy as np

from valuation_platform.analytics.portfolio import TRADING_DAYS

CONFIDENCES = (0.95, 0.99)
HORIZONS = (1, 10)


def historical_var(returns: np.ndarray, confidence: float) -> np.ndarray:
    r = np.asarray(returns, dtype=float)
    return -np.nanpercentile(r, 100 * (1 - confidence), axis=-1)


def historical_cvar(returns: np.ndarray, confidence: float) -> np.ndarray:
    r = np.asarray(returns, dtype=float)
    ordered = np.sort(r, axis=-1)  # NaN sorts last
    n = np.sum(np.isfinite(r), axis=-1)
    k = np.floor((n - 1) * (1 - confidence)).astype(int)
    ranks = np.arange(r.shape[-1])
    tail = np.where(ranks <= k[..., None], ordered, 0.0)
    return -tail.sum(axis=-1) / (k + 1)


def _norm():  # type: ignore[no-untyped-def]
    """scipy.stats.norm, imported on first use: scipy.stats takes over a second to import, and every process
    that loads the code location (each run) would pay it before any risk figure is computed."""
    from scipy.stats import norm

    return norm


def parametric_var(returns: np.ndarray, confidence: float, horizon: int = 1) -> np.ndarray:
    norm = _norm()
    mu, sigma = np.nanmean(returns, axis=-1), np.nanstd(returns, axis=-1, ddof=1)
    return -(mu * horizon + norm.ppf(1 - confidence) * sigma * np.sqrt(horizon))


def parametric_cvar(returns: np.ndarray, confidence: float, horizon: int = 1) -> np.ndarray:
    norm = _norm()
    mu, sigma = np.nanmean(returns, axis=-1), np.nanstd(returns, axis=-1, ddof=1)
    z = norm.ppf(1 - confidence)
    return -(mu * horizon - sigma * np.sqrt(horizon) * norm.pdf(z) / (1 - confidence))


def risk_table(returns: np.ndarray) -> dict[str, np.ndarray]:
    """Every VaR/CVaR figure, keyed ``{method}_{var|cvar}_{95|99}_{1d|10d}``."""
    out: dict[str, np.ndarray] = {}
    for c in CONFIDENCES:
        tag = int(round(c * 100))
        hv, hc = historical_var(returns, c), historical_cvar(returns, c)
        for h in HORIZONS:
            out[f"historical_var_{tag}_{h}d"] = hv * np.sqrt(h)
            out[f"historical_cvar_{tag}_{h}d"] = hc * np.sqrt(h)
            out[f"parametric_var_{tag}_{h}d"] = parametric_var(returns, c, h)
            out[f"parametric_cvar_{tag}_{h}d"] = parametric_cvar(returns, c, h)
    return out


def volatility_contributions(weights: np.ndarray, returns: np.ndarray) -> np.ndarray:
    """Each holding's contribution to the portfolio's annualised volatility (Euler allocation):
    ``w_i (C w)_i / sqrt(w' C w) * sqrt(252)`` with C the sample covariance (ddof=1) of the holdings' daily
    returns ``(N, T)``, a missing return counted as 0 as the back-cast does. The contributions add up to the
    annualised volatility of the back-cast returns ``w @ returns``; a hedge contributes a negative share.
    All zeros when the portfolio does not move."""
    w = np.asarray(weights, dtype=float)
    r = np.nan_to_num(np.asarray(returns, dtype=float))
    cov = np.atleast_2d(np.cov(r, ddof=1))
    marginal = cov @ w
    variance = float(w @ marginal)
    if variance <= 0:
        return np.zeros_like(w)
    return w * marginal / np.sqrt(variance) * np.sqrt(TRADING_DAYS)
