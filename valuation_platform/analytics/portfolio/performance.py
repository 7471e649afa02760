"""Performance ratios on daily returns, matching empyrical-reloaded 0.7 (its published conventions) to 1e-10.

Every function takes ``returns`` shaped ``(..., T)`` (time on the last axis) and reduces that axis, so
1,000 portfolios are one call. NaN days are skipped the way empyrical skips them.

* Sharpe: mean / std (ddof=1) of the daily returns x sqrt(252); risk-free 0 (no rate is subtracted).
* Sortino: mean daily return x 252 / downside deviation, the downside deviation taken over ALL
  observations, sqrt(mean(min(r, 0)^2)) x sqrt(252) (empyrical's; quantstats and others divide differently).
* Max drawdown: the worst (value - running peak) / running peak of the compounded series that starts at 1
  (a negative number, 0 when it never fell).
* Annual return: CAGR, (prod(1 + r))^(252 / T) - 1, T counting every day given.
* Calmar: annual return / |max drawdown|, NaN when the series never drew down.
* Win rate: share of (non-NaN) days with a return > 0 (not in empyrical; our definition).
* Alpha/beta vs a benchmark: beta = cov / var over the days both exist (population moments), alpha =
  (1 + mean(r - beta * f))^252 - 1 (annualised compounding of the mean daily residual), as empyrical.
"""

from __future__ import annotations

import numpy as np

from valuation_platform.analytics.portfolio import TRADING_DAYS


def sharpe_ratio(returns: np.ndarray) -> np.ndarray:
    r = np.asarray(returns, dtype=float)
    std = np.nanstd(r, axis=-1, ddof=1)
    constant = np.nanmax(r, axis=-1) == np.nanmin(r, axis=-1)
    std = np.where(constant, 0.0, std)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.nanmean(r, axis=-1) / std * np.sqrt(TRADING_DAYS)


def downside_risk(returns: np.ndarray) -> np.ndarray:
    r = np.asarray(returns, dtype=float)
    return np.sqrt(np.nanmean(np.square(np.clip(r, -np.inf, 0.0)), axis=-1)) * np.sqrt(TRADING_DAYS)


def sortino_ratio(returns: np.ndarray) -> np.ndarray:
    r = np.asarray(returns, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.nanmean(r, axis=-1) * TRADING_DAYS / downside_risk(r)


def drawdowns(returns: np.ndarray) -> np.ndarray:
    """Drawdown after each day (<= 0), from a start value of 1 that counts as the first peak."""
    r = np.nan_to_num(np.asarray(returns, dtype=float), nan=0.0)
    wealth = np.cumprod(1.0 + r, axis=-1)
    peak = np.maximum(np.maximum.accumulate(wealth, axis=-1), 1.0)
    return (wealth - peak) / peak


def max_drawdown(returns: np.ndarray) -> np.ndarray:
    return np.min(drawdowns(returns), axis=-1)


def annual_return(returns: np.ndarray) -> np.ndarray:
    r = np.asarray(returns, dtype=float)
    years = r.shape[-1] / TRADING_DAYS
    return np.nanprod(1.0 + r, axis=-1) ** (1.0 / years) - 1.0


def calmar_ratio(returns: np.ndarray) -> np.ndarray:
    mdd = max_drawdown(returns)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(mdd < 0, annual_return(returns) / np.abs(mdd), np.nan)
    return np.where(np.isinf(out), np.nan, out)


def win_rate(returns: np.ndarray) -> np.ndarray:
    r = np.asarray(returns, dtype=float)
    valid = ~np.isnan(r)
    with np.errstate(invalid="ignore"):
        return np.sum((r > 0) & valid, axis=-1) / np.sum(valid, axis=-1)


def alpha_beta(returns: np.ndarray, benchmark: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Annualised alpha and beta of each series against ``benchmark`` (same shape or ``(T,)``)."""
    r = np.asarray(returns, dtype=float)
    f = np.broadcast_to(np.asarray(benchmark, dtype=float), r.shape)
    x = np.where(np.isnan(r), np.nan, f)
    resid = x - np.nanmean(x, axis=-1, keepdims=True)
    var = np.nanmean(resid**2, axis=-1)
    var = np.where(var < 1e-30, np.nan, var)
    beta = np.nanmean(resid * r, axis=-1) / var
    alpha = (1.0 + np.nanmean(r - beta[..., None] * f, axis=-1)) ** TRADING_DAYS - 1.0
    return alpha, beta
