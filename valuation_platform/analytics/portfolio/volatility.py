"""Realized volatility and the HAR forecast (Corsi 2009), per series, vectorised.

Realized volatility over ``w`` days: the sample standard deviation (ddof=1) of the last ``w`` daily
returns x sqrt(252).

HAR: with only daily bars, the daily realized variance is the squared return, ``RV_t = r_t^2``. The
regressors at day t are the daily, weekly and monthly components ``RV_t``, ``mean(RV_{t-4..t})`` and
``mean(RV_{t-21..t})``. Each horizon h (1, 5, 21) has its own direct regression (Corsi's multi-step form):
the target is the mean variance over the next h days, ``mean(RV_{t+1..t+h})``, fitted by OLS with an
intercept on every day where the target and regressors exist. The forecast plugs the latest regressors
in; the variance is floored at a tenth of the sample mean (an OLS fit can go negative) and reported as
an annualised volatility, sqrt(252 x variance).
"""

from __future__ import annotations

import numpy as np

from valuation_platform.analytics.portfolio import TRADING_DAYS
from valuation_platform.analytics.portfolio.regression import regress

HORIZONS = (1, 5, 21)
WEEK, MONTH = 5, 22


def realized_vol(returns: np.ndarray, window: int, min_obs: int | None = None) -> np.ndarray:
    tail = np.asarray(returns, dtype=float)[..., -window:]
    n = np.sum(np.isfinite(tail), axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        vol = np.nanstd(tail, axis=-1, ddof=1) * np.sqrt(TRADING_DAYS)
    return np.where(n >= (min_obs or window), vol, np.nan)


def _rolling_mean(values: np.ndarray, window: int) -> np.ndarray:
    """Mean of each day and the ``window - 1`` before it (NaN until the window is full or has a gap)."""
    csum = np.cumsum(np.nan_to_num(values), axis=-1)
    ccount = np.cumsum(np.isfinite(values), axis=-1)
    pad = np.zeros((*values.shape[:-1], 1))
    csum, ccount = np.concatenate([pad, csum], -1), np.concatenate([pad, ccount], -1)
    total = csum[..., window:] - csum[..., :-window]
    count = ccount[..., window:] - ccount[..., :-window]
    out = np.full(values.shape, np.nan)
    out[..., window - 1 :] = np.where(count == window, total / window, np.nan)
    return out


def har_design(returns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(rv, X)``: daily variance ``(M, T)`` and the HAR regressors ``(M, T, 3)`` of each day."""
    rv = np.asarray(returns, dtype=float) ** 2
    x = np.stack([rv, _rolling_mean(rv, WEEK), _rolling_mean(rv, MONTH)], axis=-1)
    return rv, x


def har_target(rv: np.ndarray, h: int) -> np.ndarray:
    """Mean variance over the next ``h`` days, aligned to the day the forecast is made."""
    ahead = _rolling_mean(rv, h)  # day t holds mean(rv[t-h+1..t])
    out = np.full(rv.shape, np.nan)
    out[..., :-h] = ahead[..., h:]
    return out


def har_forecast(returns: np.ndarray, horizons: tuple[int, ...] = HORIZONS, min_obs: int = 40) -> dict[int, np.ndarray]:
    """Annualised volatility forecast per horizon for each row of ``returns`` ``(M, T)``."""
    r = np.atleast_2d(np.asarray(returns, dtype=float))
    rv, x = har_design(r)
    latest = x[:, -1, :]
    floor = 0.1 * np.nanmean(rv, axis=-1)
    out: dict[int, np.ndarray] = {}
    for h in horizons:
        fit = regress(har_target(rv, h), x, min_obs=min_obs)
        var = fit.intercept + np.sum(fit.coef * latest, axis=-1)
        out[h] = np.sqrt(np.maximum(var, floor) * TRADING_DAYS)
    return out
