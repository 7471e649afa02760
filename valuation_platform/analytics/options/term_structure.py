"""Constant-maturity ATM implied volatility: the one number per snapshot that IV rank is measured on.

Per-expiry ATM IVs cannot be compared day to day (the expiries roll), so IV rank/percentile use a
30-calendar-day ATM IV read off the term structure of one snapshot:

* expiries with fewer than :data:`MIN_DAYS` calendar days left are left out (expiry-week ATM IV is
  dominated by event noise and discretisation), unless no other expiry has an ATM IV;
* between the two expiries bracketing the target, total variance ``w = sigma^2 T`` is interpolated
  linearly in ``T`` and ``sigma = sqrt(w / T_target)`` (the VIX-style interpolation);
* outside the listed range the nearest expiry's ATM IV is used as is (flat extrapolation).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

TARGET_DAYS = 30
MIN_DAYS = 7
DAYS_PER_YEAR = 365.0


def constant_maturity_iv(
    t_years: ArrayLike, atm_iv: ArrayLike, *, target_days: float = TARGET_DAYS, min_days: float = MIN_DAYS
) -> float | None:
    """The ATM IV at ``target_days`` from per-expiry ``(t_years, atm_iv)`` pairs; None without any IV."""
    t = np.asarray(t_years, dtype=np.float64)
    v = np.asarray(atm_iv, dtype=np.float64)
    ok = np.isfinite(t) & np.isfinite(v) & (t > 0) & (v > 0)
    if not ok.any():
        return None
    long_enough = ok & (t * DAYS_PER_YEAR >= min_days)
    use = long_enough if long_enough.any() else ok
    order = np.argsort(t[use])
    ts, vs = t[use][order], v[use][order]
    target = target_days / DAYS_PER_YEAR
    if target <= ts[0]:
        return float(vs[0])
    if target >= ts[-1]:
        return float(vs[-1])
    i = int(np.searchsorted(ts, target))  # ts[i-1] < target <= ts[i]
    w0, w1 = vs[i - 1] ** 2 * ts[i - 1], vs[i] ** 2 * ts[i]
    w = w0 + (w1 - w0) * (target - ts[i - 1]) / (ts[i] - ts[i - 1])
    return float(np.sqrt(w / target))


def atm_iv_by_snapshot(metrics: Iterable[Mapping[str, Any]]) -> dict[tuple[Any, Any], dict[str, Any]]:
    """``{(underlying, snapshot_ts): {'atm_iv_30d', 'n_expiries'}}`` from :func:`chain_metrics` rows.

    ``n_expiries`` counts the expiries that had an ATM IV (whether or not the interpolation used them).
    """
    grouped: dict[tuple[Any, Any], tuple[list[float], list[float]]] = {}
    for row in metrics:
        ts, ivs = grouped.setdefault((row["underlying"], row["snapshot_ts"]), ([], []))
        ts.append(row["t_years"])
        ivs.append(np.nan if row["atm_iv"] is None else row["atm_iv"])
    out: dict[tuple[Any, Any], dict[str, Any]] = {}
    for key, (ts, ivs) in grouped.items():
        values = np.asarray(ivs, dtype=np.float64)
        out[key] = {
            "atm_iv_30d": constant_maturity_iv(ts, values),
            "n_expiries": int(np.isfinite(values).sum()),
        }
    return out
