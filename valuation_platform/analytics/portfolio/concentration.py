"""Concentration and diversification of a portfolio's weights.

Concentration uses each position's share of GROSS exposure, ``a_i = |e_i| / sum |e|`` (shorts concentrate
risk as much as longs): HHI = sum a_i^2, effective number of positions = 1 / HHI, top-5 weight = the five
largest ``a_i`` summed.

Diversification over the positions' return correlations C (90 sessions): the exposure-weighted average
pairwise correlation ``rho = sum_{i != j} a_i a_j C_ij / sum_{i != j} a_i a_j`` and the score
rescaled so that rho = 1 scores 0 and rho <= 0 scores 100:
``score = 100 x clip(1 - rho, 0, 1)``. Positions on the same underlying are correlation 1 by construction.
"""

from __future__ import annotations

import numpy as np

CORRELATION_DAYS = 90
# Pairwise correlations are stored for a portfolio's largest positions only (by gross exposure): a fund holding
# the whole US universe has 10.6 million pairs a session, which no reader can use and which grew with the square
# of the book (the average correlation and the diversification score still use every pair).
PAIR_POSITIONS = 100


def largest_positions(exposure: np.ndarray, n: int = PAIR_POSITIONS) -> np.ndarray:
    """Indices of the ``n`` largest positions of ``exposure`` ``(N,)`` by gross exposure, in book order (ties: the
    earlier position first)."""
    order = np.argsort(-np.abs(np.nan_to_num(exposure)), kind="stable")[:n]
    return np.sort(order)


def gross_shares(exposure: np.ndarray) -> np.ndarray:
    """``(P, N)`` exposures (NaN = no position) -> shares of gross exposure."""
    a = np.abs(np.nan_to_num(exposure))
    total = a.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, a / total, np.nan)


def concentration(exposure: np.ndarray) -> dict[str, np.ndarray]:
    a = gross_shares(np.atleast_2d(exposure))
    hhi = np.nansum(a**2, axis=-1)
    top = -np.sort(-np.nan_to_num(a), axis=-1)[..., :5].sum(axis=-1)
    with np.errstate(divide="ignore"):
        return {"hhi": hhi, "effective_positions": np.where(hhi > 0, 1.0 / hhi, np.nan), "top5_weight": top,
                "largest_weight": np.nanmax(np.nan_to_num(a), axis=-1)}


def correlation_matrix(returns: np.ndarray) -> np.ndarray:
    """Pearson correlations of the rows of ``returns`` ``(N, T)`` over the days where both exist."""
    r = np.asarray(returns, dtype=float)
    valid = np.isfinite(r).astype(float)
    x = np.nan_to_num(r)
    n = valid @ valid.T
    sx = x @ valid.T
    sxx = (x * x) @ valid.T
    sxy = x @ x.T
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = sxy - sx * sx.T / n
        var_i = sxx - sx**2 / n
        corr = cov / np.sqrt(var_i * var_i.T)
    corr[n < 3] = np.nan
    np.fill_diagonal(corr, 1.0)
    return corr


def diversification(shares: np.ndarray, corr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``shares`` ``(P, N)`` and per-portfolio correlations ``(P, N, N)`` -> (average correlation, score)."""
    a = np.nan_to_num(shares)
    c = np.nan_to_num(corr)
    pair = a[:, :, None] * a[:, None, :]
    diag = a**2
    weight = pair.sum(axis=(1, 2)) - diag.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = ((pair * c).sum(axis=(1, 2)) - (diag * np.diagonal(c, axis1=1, axis2=2)).sum(axis=1)) / weight
    rho = np.where(weight > 0, rho, np.nan)
    return rho, 100.0 * np.clip(1.0 - rho, 0.0, 1.0)
