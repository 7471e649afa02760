"""Implied volatility for a whole chain at once, with a status for every contract.

The solver works in Jäckel's normalised Black coordinates ("Let's be rational", 2015): with the
forward ``F = S e^{(r-q)T}``, log-moneyness ``x = ln(F/K)`` and total volatility ``s = sigma sqrt(T)``,
the undiscounted price divided by ``sqrt(F K)`` depends on ``(x, s)`` only. Put-call parity turns every
contract into its out-of-the-money twin (price minus discounted intrinsic), whose normalised price
``b(a, s)`` with ``a = |x|`` rises monotonically from 0 to ``e^{-a/2}`` and has a single inflection at
``s_c = sqrt(2a)``. Three branches keep Halley's method well conditioned (the idea of Jäckel's zones):

* lower (``b < b(s_c)``): solve ``ln b(s) = ln b*``; ``ln b`` is close to ``-a^2/(2 s^2)`` there, which
  Newton-type steps handle where the raw price is exponentially flat;
* middle (``b(s_c) <= b* <= e^{-a/2}/2``): solve ``b(s) = b*`` directly;
* upper (``b* > e^{-a/2}/2``): solve ``ln(e^{-a/2} - b(s)) = ln(e^{-a/2} - b*)``, which stays steep as
  the price approaches its upper bound and vega vanishes.

Every iteration keeps a bracket ``[lo, hi]`` around the root and falls back to bisection when a step
leaves it, so the iteration cannot diverge. It stops when the step in ``s`` is below ``1e-13 (1+s)``
(about 1e-12 in sigma even for one-day options), far inside the 1e-8 required.

Statuses (one per contract, never an exception and never an unexplained NaN):

* ``OK``: an implied volatility was found.
* ``EXPIRED``: ``T <= 0`` (no time value left to invert).
* ``NO_PRICE``: no usable price (missing, NaN, or not positive).
* ``BELOW_INTRINSIC``: price at or below (within a few ulps of) the discounted intrinsic value
  ``max(S e^{-qT} - K e^{-rT}, 0)`` (calls) / ``max(K e^{-rT} - S e^{-qT}, 0)`` (puts): no positive
  volatility reproduces it (stale last prices of deep in-the-money contracts land here).
* ``ABOVE_BOUND``: call price at or above ``S e^{-qT}``, put price at or above ``K e^{-rT}``.
* ``INVALID_INPUT``: non-positive or non-finite spot/strike, or non-finite ``T``/``r``/``q``.
* ``NO_CONVERGENCE``: the iteration cap was hit; not expected for finite inputs, kept so that a
  failure is visible rather than silent.

For American options (US single-stock options) the BSM implied vol is the usual European
approximation; it is exact for the European NSE index and stock options.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

from valuation_platform.analytics.options.bsm import FloatArray, ndtr, ndtri, option_sign

_INV_SQRT_2PI = 0.3989422804014327
MAX_ITERATIONS = 100
S_TOLERANCE = 1e-13


class IVStatus(StrEnum):
    OK = "OK"
    EXPIRED = "EXPIRED"
    NO_PRICE = "NO_PRICE"
    BELOW_INTRINSIC = "BELOW_INTRINSIC"
    ABOVE_BOUND = "ABOVE_BOUND"
    INVALID_INPUT = "INVALID_INPUT"
    NO_CONVERGENCE = "NO_CONVERGENCE"


STATUS_DTYPE = np.dtype("<U15")


def quote_price(bid: ArrayLike, ask: ArrayLike, last: ArrayLike) -> FloatArray:
    """The price to invert: the bid/ask mid when both sides are positive, else the last price.

    ``None``/NaN/zero mean "no quote" (NSE writes 0 for an empty side). The result is NaN where neither
    is usable; :func:`implied_volatility` reports those as ``NO_PRICE``.
    """
    bid_a = np.asarray(bid, dtype=np.float64)
    ask_a = np.asarray(ask, dtype=np.float64)
    last_a = np.asarray(last, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        two_sided = (bid_a > 0) & (ask_a > 0)
        last_ok = last_a > 0
    return np.where(two_sided, 0.5 * (bid_a + ask_a), np.where(last_ok, last_a, np.nan))


def implied_volatility(
    price: ArrayLike,
    S: ArrayLike,
    K: ArrayLike,
    T: ArrayLike,
    r: ArrayLike,
    q: ArrayLike = 0.0,
    option_type: ArrayLike = "C",
) -> tuple[FloatArray, NDArray[np.str_]]:
    """``(iv, status)`` arrays of the broadcast input shape; ``iv`` is NaN exactly where status != OK."""
    sign = option_sign(option_type)
    arrays = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (price, S, K, T, r, q)), sign)
    shape = arrays[0].shape
    price_f, S_f, K_f, T_f, r_f, q_f, sign_f = (a.ravel() for a in arrays)
    n = price_f.size
    iv = np.full(n, np.nan)
    status = np.full(n, IVStatus.OK.value, dtype=STATUS_DTYPE)

    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        invalid = ~(
            np.isfinite(S_f)
            & np.isfinite(K_f)
            & (S_f > 0)
            & (K_f > 0)
            & np.isfinite(T_f)
            & np.isfinite(r_f)
            & np.isfinite(q_f)
        )
        expired = ~invalid & (T_f <= 0)
        no_price = ~invalid & ~expired & ~(np.isfinite(price_f) & (price_f > 0))
        live = ~(invalid | expired | no_price)

        x = np.log(S_f / K_f) + (r_f - q_f) * T_f
        # Normalised undiscounted price: price * e^{rT} / sqrt(F K) = price * e^{rT - x/2} / K.
        beta = price_f * np.exp(r_f * T_f - 0.5 * x) / K_f
        half_x = 0.5 * x
        intrinsic = np.maximum(sign_f * (np.exp(half_x) - np.exp(-half_x)), 0.0)
        bound = np.exp(sign_f * half_x)
        time_value = beta - intrinsic
        # Subtracting the intrinsic value leaves rounding noise of a few ulps of it: that is no time value.
        below = live & (time_value <= 16.0 * np.finfo(np.float64).eps * intrinsic)
        above = live & ~below & (beta >= bound)
    status[invalid] = IVStatus.INVALID_INPUT.value
    status[expired] = IVStatus.EXPIRED.value
    status[no_price] = IVStatus.NO_PRICE.value
    status[below] = IVStatus.BELOW_INTRINSIC.value
    status[above] = IVStatus.ABOVE_BOUND.value

    solve = live & ~below & ~above
    idx = np.flatnonzero(solve)
    if idx.size:
        a = np.abs(x[idx])
        tv = time_value[idx]
        s, converged = normalised_implied_total_vol(a, tv)
        iv[idx] = s / np.sqrt(T_f[idx])
        failed = idx[~converged]
        iv[failed] = np.nan
        status[failed] = IVStatus.NO_CONVERGENCE.value
    return iv.reshape(shape), status.reshape(shape)


# -- normalised Black machinery ----------------------------------------------------------------


def normalised_otm_price(a: FloatArray, s: FloatArray) -> FloatArray:
    """``b(a, s) = e^{-a/2} N(-a/s + s/2) - e^{a/2} N(-a/s - s/2)`` (OTM twin, ``a = |x| >= 0``)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        h = a / s
        return np.exp(-0.5 * a) * ndtr(-h + 0.5 * s) - np.exp(0.5 * a) * ndtr(-h - 0.5 * s)


def _vega_and_volga(a: FloatArray, s: FloatArray) -> tuple[FloatArray, FloatArray]:
    """db/ds and d2b/ds2 of the normalised OTM price."""
    h = a / s
    vega = _INV_SQRT_2PI * np.exp(-0.5 * h * h - 0.125 * s * s)
    return vega, vega * (h * h / s - 0.25 * s)


def _lower_objective(a: FloatArray, s: FloatArray, target: FloatArray, bnd: FloatArray):
    b = normalised_otm_price(a, s)
    vega, volga = _vega_and_volga(a, s)
    d1 = vega / b
    return np.log(b) - np.log(target), d1, volga / b - d1 * d1


def _middle_objective(a: FloatArray, s: FloatArray, target: FloatArray, bnd: FloatArray):
    vega, volga = _vega_and_volga(a, s)
    return normalised_otm_price(a, s) - target, vega, volga


def _upper_objective(a: FloatArray, s: FloatArray, target: FloatArray, bnd: FloatArray):
    # w = bound - b without cancellation: e^{-a/2} N(a/s - s/2) + e^{a/2} N(-a/s - s/2).
    h = a / s
    w = np.exp(-0.5 * a) * ndtr(h - 0.5 * s) + np.exp(0.5 * a) * ndtr(-h - 0.5 * s)
    vega, volga = _vega_and_volga(a, s)
    d1 = vega / w
    return np.log(bnd - target) - np.log(w), d1, volga / w + d1 * d1


Objective = Callable[
    [FloatArray, FloatArray, FloatArray, FloatArray], tuple[FloatArray, FloatArray, FloatArray]
]


def normalised_implied_total_vol(a: FloatArray, target: FloatArray) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Total vol ``s`` with ``b(a, s) = target`` for ``0 < target < e^{-a/2}``; also a converged mask."""
    a = np.asarray(a, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    s_c = np.sqrt(2.0 * a)
    b_c = normalised_otm_price(a, s_c)
    b_c = np.where(a == 0, 0.0, b_c)  # s_c = 0 at the money: the whole curve is "middle"
    bnd = np.exp(-0.5 * a)
    out = np.full(a.shape, np.nan)
    converged = np.zeros(a.shape, dtype=bool)

    lower = target < b_c
    upper = ~lower & (target > 0.5 * bnd)
    middle = ~lower & ~upper

    for mask, objective, start, lo, hi in (
        (lower, _lower_objective, lambda i: s_c[i], lambda i: np.zeros(i.size), lambda i: s_c[i]),
        (middle, _middle_objective, lambda i: s_c[i], lambda i: s_c[i], lambda i: np.full(i.size, np.inf)),
        (
            upper,
            _upper_objective,
            lambda i: _upper_guess(a[i], target[i], bnd[i], s_c[i]),
            lambda i: s_c[i],
            lambda i: np.full(i.size, np.inf),
        ),
    ):
        idx = np.flatnonzero(mask)
        if idx.size:
            out[idx], converged[idx] = _halley_bracketed(
                objective, a[idx], target[idx], bnd[idx], start(idx), lo(idx), hi(idx)
            )
    return out, converged


def _upper_guess(a: FloatArray, target: FloatArray, bnd: FloatArray, s_c: FloatArray) -> FloatArray:
    # At the money bound - b = 2 N(-s/2) exactly; away from it this is a close first guess.
    guess = -2.0 * ndtri(np.clip((bnd - target) / (2.0 * bnd), 1e-300, 0.5))
    return np.maximum(guess, s_c)


def _halley_bracketed(
    objective: Objective,
    a: FloatArray,
    target: FloatArray,
    bnd: FloatArray,
    s: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Halley steps on an increasing objective, kept inside a shrinking bracket (bisection fallback)."""
    result = s.copy()
    done = np.zeros(s.size, dtype=bool)
    active = np.arange(s.size)
    s = s.copy()
    lo = lo.copy()
    hi = hi.copy()
    for _ in range(MAX_ITERATIONS):
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            f, f1, f2 = objective(a, s, target, bnd)
            exact = f == 0
            below_root = f < 0
            lo = np.where(below_root, s, lo)
            hi = np.where(below_root | ~np.isfinite(f), hi, s)
            newton = f / f1
            denominator = 1.0 - 0.5 * newton * f2 / f1
            step = np.where(denominator > 0.5, newton / denominator, newton)
            s_new = s - step
            # Outside the bracket (or NaN): bisect, or double when the bracket is still open above.
            outside = ~(s_new > lo) | ~(s_new < hi) | ~np.isfinite(s_new)
            fallback = np.where(np.isfinite(hi), 0.5 * (lo + hi), np.maximum(2.0 * s, 2.0 * lo + 1e-3))
            s_new = np.where(outside, fallback, s_new)
            finished = (
                exact | (np.abs(s_new - s) <= S_TOLERANCE * (1.0 + s)) | (hi - lo <= S_TOLERANCE * (1.0 + lo))
            )
        s_final = np.where(exact, s, s_new)
        if finished.any():
            result[active[finished]] = s_final[finished]
            done[active[finished]] = True
            keep = ~finished
            active, a, target, bnd = active[keep], a[keep], target[keep], bnd[keep]
            s, lo, hi = s_new[keep], lo[keep], hi[keep]
        else:
            s = s_new
        if active.size == 0:
            break
    result[active] = s
    return result, done
