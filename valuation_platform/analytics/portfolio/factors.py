"""Factor exposures by ridge regression on factor-ETF returns.

Factors (the product's documented ETF list, fetched with the market prices): market = SPY; size, value,
momentum, quality and low volatility are SPREADS against the market (IWM, VLUE, MTUM, QUAL, USMV minus
SPY), which takes the common market move out of the style ETFs and so limits their collinearity.

Ridge: returns regressed on the six factor return series with an unpenalised intercept and penalty
``lambda = RIDGE_SHRINK x trace(Xc'Xc) / K`` (a tenth of the average factor's centred sum of squares:
scale-free, so the same setting holds for any window or volatility regime). The penalty is what
scikit-learn calls ``alpha``; :func:`ridge_penalty` gives its value for the tests' oracle.
"""

from __future__ import annotations

import numpy as np

from valuation_platform.analytics.portfolio.regression import Fit, regress

MARKET_ETF = "SPY"
# factor name -> ETF; every factor but the market is that ETF's return minus SPY's
FACTOR_ETFS: dict[str, str] = {
    "market": "SPY",
    "size": "IWM",
    "value": "VLUE",
    "momentum": "MTUM",
    "quality": "QUAL",
    "low_volatility": "USMV",
}
BENCHMARK_TICKERS: tuple[str, ...] = ("SPY", "IWM", "MTUM", "QUAL", "VLUE", "USMV")
RIDGE_SHRINK = 0.1


def factor_returns(etf_returns: dict[str, np.ndarray]) -> np.ndarray:
    """``(T, K)`` in :data:`FACTOR_ETFS` order: SPY, then each style ETF minus SPY."""
    market = etf_returns[MARKET_ETF]
    cols = [market if etf == MARKET_ETF else etf_returns[etf] - market for etf in FACTOR_ETFS.values()]
    return np.column_stack(cols)


def ridge_penalty(factors: np.ndarray) -> float:
    x = factors[np.all(np.isfinite(factors), axis=1)]
    xc = x - x.mean(axis=0)
    return float(RIDGE_SHRINK * np.trace(xc.T @ xc) / x.shape[1])


def factor_exposures(returns: np.ndarray, factors: np.ndarray, min_obs: int = 40) -> tuple[Fit, float]:
    penalty = ridge_penalty(factors)
    return regress(returns, factors, ridge=penalty, min_obs=min_obs), penalty
