"""Least squares for many series at once: OLS (betas, HAR) and ridge (factor exposures).

:func:`regress` fits ``y_m = c_m + X_m b_m + e`` for every row ``m`` of ``Y`` (time on the last axis) with an
intercept. ``X`` is shared ``(T, K)`` (betas, factors) or per row ``(M, T, K)`` (HAR). A day where ``y`` or
``x`` is missing is dropped for that row only. Rows whose days are all present share one factorisation
(the fast path: one ``K x K`` solve for thousands of series); the others are solved in chunks with their
own masks, so memory stays bounded.

Ridge: ``ridge > 0`` minimises ``|y - c - Xb|^2 + ridge |b|^2`` with an unpenalised intercept, which is
scikit-learn's ``Ridge(alpha=ridge, fit_intercept=True)`` (the tests use it as the oracle).
Standard errors are the classical OLS ones, ``sqrt(s^2 (X'X)^-1)`` with ``s^2 = SSR / (n - K - 1)``;
with a ridge penalty they are not reported (NaN).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CHUNK_ROWS = 2048


@dataclass
class Fit:
    coef: np.ndarray  # (M, K)
    intercept: np.ndarray  # (M,)
    r2: np.ndarray  # (M,)
    stderr: np.ndarray  # (M, K)
    n_obs: np.ndarray  # (M,) int

    def take(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Coefficient ``k`` and its standard error."""
        return self.coef[:, k], self.stderr[:, k]


def _solve(xc: np.ndarray, yc: np.ndarray, n: np.ndarray, ridge: float) -> tuple[np.ndarray, ...]:
    """Centred, masked (zeros off-sample) ``xc (M,T,K)`` or ``(T,K)`` and ``yc (M,T)``."""
    k = xc.shape[-1]
    shared = xc.ndim == 2
    xtx = xc.T @ xc if shared else np.einsum("mtk,mtl->mkl", xc, xc)
    xtx = xtx + ridge * np.eye(k)
    xty = yc @ xc if shared else np.einsum("mtk,mt->mk", xc, yc)
    if shared:
        inv = np.linalg.inv(xtx)
        coef = xty @ inv.T
        fitted = coef @ xc.T
    else:
        ok = np.linalg.det(xtx) > 0
        safe = np.where(ok[:, None, None], xtx, np.eye(k))
        inv = np.linalg.inv(safe)
        coef = np.einsum("mkl,ml->mk", inv, xty)
        coef[~ok] = np.nan
        fitted = np.einsum("mtk,mk->mt", xc, coef)
    ssr = np.sum((yc - fitted) ** 2, axis=-1)
    sst = np.sum(yc**2, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = 1.0 - ssr / sst
        dof = n - k - 1
        s2 = np.where(dof > 0, ssr / dof, np.nan)
        diag = np.diagonal(inv, axis1=-2, axis2=-1)
        stderr = np.sqrt(s2[:, None] * diag) if ridge == 0 else np.full(coef.shape, np.nan)
    return coef, r2, stderr


def regress(y: np.ndarray, x: np.ndarray, *, ridge: float = 0.0, min_obs: int = 10) -> Fit:
    y = np.atleast_2d(np.asarray(y, dtype=float))
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    m, _ = y.shape
    k = x.shape[-1]
    coef = np.full((m, k), np.nan)
    stderr = np.full((m, k), np.nan)
    intercept = np.full(m, np.nan)
    r2 = np.full(m, np.nan)
    if x.ndim == 2:
        x_ok = np.all(np.isfinite(x), axis=-1)
        valid = np.isfinite(y) & x_ok
    else:
        valid = np.isfinite(y) & np.all(np.isfinite(x), axis=-1)
    n_obs = valid.sum(axis=-1)

    full = valid.all(axis=-1) if x.ndim == 3 else (valid == x_ok).all(axis=-1)
    if x.ndim == 2 and full.any():  # one factorisation for every complete row
        xs, ys = x[x_ok], y[full][:, x_ok]
        xm, ym = xs.mean(axis=0), ys.mean(axis=-1)
        c, r, s = _solve(xs - xm, ys - ym[:, None], np.full(len(ys), len(xs)), ridge)
        coef[full], r2[full], stderr[full], intercept[full] = c, r, s, ym - c @ xm
    rest = np.flatnonzero(~full) if x.ndim == 2 else np.arange(m)
    for start in range(0, len(rest), CHUNK_ROWS):
        rows = rest[start : start + CHUNK_ROWS]
        w = valid[rows].astype(float)
        n = w.sum(axis=-1)
        xr = np.broadcast_to(x, (len(rows), *x.shape)) if x.ndim == 2 else x[rows]
        x0 = np.where(valid[rows][..., None], xr, 0.0)
        y0 = np.where(valid[rows], y[rows], 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            xm = np.einsum("mt,mtk->mk", w, x0) / n[:, None]
            ym = (w * y0).sum(axis=-1) / n
        xc = (x0 - xm[:, None, :]) * w[..., None]
        yc = (y0 - ym[:, None]) * w
        c, r, s = _solve(xc, yc, n, ridge)
        coef[rows], r2[rows], stderr[rows] = c, r, s
        intercept[rows] = ym - np.sum(c * xm, axis=-1)
    short = n_obs < max(min_obs, k + 2)
    coef[short], stderr[short], intercept[short], r2[short] = np.nan, np.nan, np.nan, np.nan
    return Fit(coef, intercept, r2, stderr, n_obs)


def trailing(values: np.ndarray, window: int) -> np.ndarray:
    """The last ``window`` days of the time axis (all of them when shorter)."""
    return values[..., -window:]
