"""Vectorised Black-Scholes-Merton prices and Greeks for European options.

Every function takes numpy arrays (or scalars) and broadcasts them against each other, so a whole
option chain, or a million contracts, is priced in one call without a Python loop.

Inputs: spot ``S``, strike ``K``, time to expiry ``T`` in years, continuously compounded risk-free
rate ``r``, volatility ``sigma`` (0.20 = 20 %), continuous dividend yield ``q``, and the option type:
``'C'``/``'CE'`` for calls and ``'P'``/``'PE'`` for puts (NSE writes CE/PE, Polygon call/put; lower
case and ``'call'``/``'put'`` are accepted too), or a boolean array (True = call).

Units of the Greeks follow py_vollib's analytical Greeks so results compare one for one:

* ``delta``: dV/dS.
* ``gamma``: d2V/dS2.
* ``theta``: dV/dt per **year** (the textbook value); ``theta_per_day`` = ``theta / 365`` per
  **calendar** day, which is py_vollib's ``theta``.
* ``vega``: change in price for a 1 **vol point** move, i.e. dV/dsigma * 0.01.
* ``rho``: change in price for a 1 % (0.01) move in ``r``, i.e. dV/dr * 0.01.

Degenerate inputs are priced at their limits instead of producing NaN: ``T <= 0`` gives the payoff
``max(S-K, 0)`` / ``max(K-S, 0)`` with a step delta and zero other Greeks; ``sigma <= 0`` with
``T > 0`` gives the discounted forward intrinsic value and its (deterministic) sensitivities.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

_INV_SQRT_2PI = 0.3989422804014327
_CALL_LABELS = ("C", "CE", "c", "ce", "call", "CALL", "Call")
_PUT_LABELS = ("P", "PE", "p", "pe", "put", "PUT", "Put")



def ndtr(x: ArrayLike) -> FloatArray:
    """scipy.special.ndtr (the standard normal CDF), imported on first use: scipy.special takes close to half
    a second to import, and every process that loads the code location (each run) would pay it."""
    from scipy.special import ndtr as _ndtr

    return _ndtr(x)


def ndtri(p: ArrayLike) -> FloatArray:
    """scipy.special.ndtri (the inverse normal CDF), imported on first use like :func:`ndtr`."""
    from scipy.special import ndtri as _ndtri

    return _ndtri(p)

def option_sign(option_type: ArrayLike) -> FloatArray:
    """+1.0 for calls and -1.0 for puts, element-wise.

    Accepts labels (see module doc), booleans (True = call) or +1/-1 numbers. Unknown labels raise
    ``ValueError``: a mislabelled contract is a programming error, not a market condition.
    """
    arr = np.asarray(option_type)
    if arr.dtype == bool:
        return np.where(arr, 1.0, -1.0)
    if arr.dtype.kind in "iuf":
        signs = arr.astype(np.float64)
        if not np.all((signs == 1.0) | (signs == -1.0)):
            raise ValueError("numeric option types must be +1 (call) or -1 (put)")
        return signs
    if arr.dtype.kind not in "UO":
        raise ValueError(f"unsupported option_type dtype {arr.dtype}")
    if arr.dtype.kind == "O":
        arr = arr.astype(str)
    # The common labels first: on a million-row chain each comparison costs a few milliseconds.
    is_call = (arr == "C") | (arr == "CE")
    is_put = (arr == "P") | (arr == "PE")
    known = is_call | is_put
    if not known.all():
        for label in _CALL_LABELS[2:]:
            is_call |= arr == label
        for label in _PUT_LABELS[2:]:
            is_put |= arr == label
        known = is_call | is_put
        if not known.all():
            bad = sorted({str(v) for v in np.asarray(arr)[~known].ravel()[:20]})
            raise ValueError(f"unknown option type label(s): {bad}; use C/CE for calls, P/PE for puts")
    return np.where(is_call, 1.0, -1.0)


def _as_float(x: ArrayLike) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


@dataclass(frozen=True)
class BsmGreeks:
    """Prices and Greeks, each an array of the broadcast input shape (units in the module doc)."""

    price: FloatArray
    delta: FloatArray
    gamma: FloatArray
    theta: FloatArray  # per year
    theta_per_day: FloatArray  # per calendar day = theta / 365
    vega: FloatArray  # per vol point (0.01 of sigma)
    rho: FloatArray  # per 1 % move in r

    def as_dict(self) -> dict[str, FloatArray]:
        return {
            "price": self.price,
            "delta": self.delta,
            "gamma": self.gamma,
            "theta": self.theta,
            "theta_per_day": self.theta_per_day,
            "vega": self.vega,
            "rho": self.rho,
        }


def bsm_price(
    S: ArrayLike,
    K: ArrayLike,
    T: ArrayLike,
    r: ArrayLike,
    sigma: ArrayLike,
    q: ArrayLike = 0.0,
    option_type: ArrayLike = "C",
) -> FloatArray:
    """Black-Scholes-Merton price (same units as ``S`` and ``K``)."""
    sign = option_sign(option_type)
    S, K, T, r, sigma, q, sign = np.broadcast_arrays(
        _as_float(S), _as_float(K), _as_float(T), _as_float(r), _as_float(sigma), _as_float(q), sign
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        sqrt_t = np.sqrt(T)
        vol_t = sigma * sqrt_t
        s_q = S * np.exp(-q * T)
        k_r = K * np.exp(-r * T)
        d1 = (np.log(S / K) + (r - q) * T) / vol_t + 0.5 * vol_t
        d2 = d1 - vol_t
        price = sign * (s_q * ndtr(sign * d1) - k_r * ndtr(sign * d2))
    degenerate = (T <= 0) | (sigma <= 0)
    if degenerate.any():
        price = np.where(degenerate, _degenerate(S, K, T, r, q, sign, s_q, k_r)["price"], price)
    return price


def bsm_greeks(
    S: ArrayLike,
    K: ArrayLike,
    T: ArrayLike,
    r: ArrayLike,
    sigma: ArrayLike,
    q: ArrayLike = 0.0,
    option_type: ArrayLike = "C",
) -> BsmGreeks:
    """Price and all first-order Greeks plus gamma, in one pass over shared intermediates."""
    sign = option_sign(option_type)
    S, K, T, r, sigma, q, sign = np.broadcast_arrays(
        _as_float(S), _as_float(K), _as_float(T), _as_float(r), _as_float(sigma), _as_float(q), sign
    )
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        sqrt_t = np.sqrt(T)
        vol_t = sigma * sqrt_t
        df_q = np.exp(-q * T)
        df_r = np.exp(-r * T)
        s_q = S * df_q
        k_r = K * df_r
        d1 = (np.log(S / K) + (r - q) * T) / vol_t + 0.5 * vol_t
        d2 = d1 - vol_t
        # N(sign*d) gives N(d1) for calls and N(-d1) for puts without a branch.
        n1 = ndtr(sign * d1)
        n2 = ndtr(sign * d2)
        pdf1 = _INV_SQRT_2PI * np.exp(-0.5 * d1 * d1)
        s_q_pdf1 = s_q * pdf1
        price = sign * (s_q * n1 - k_r * n2)
        delta = sign * df_q * n1
        gamma = s_q_pdf1 / (S * S * vol_t)
        theta = -s_q_pdf1 * sigma / (2.0 * sqrt_t) + sign * (q * s_q * n1 - r * k_r * n2)
        vega = s_q_pdf1 * sqrt_t * 0.01
        rho = sign * k_r * T * n2 * 0.01
    degenerate = (T <= 0) | (sigma <= 0)
    if degenerate.any():
        limits = _degenerate(S, K, T, r, q, sign, s_q, k_r)
        price = np.where(degenerate, limits["price"], price)
        delta = np.where(degenerate, limits["delta"], delta)
        gamma = np.where(degenerate, 0.0, gamma)
        theta = np.where(degenerate, limits["theta"], theta)
        vega = np.where(degenerate, 0.0, vega)
        rho = np.where(degenerate, limits["rho"], rho)
    return BsmGreeks(price, delta, gamma, theta, theta / 365.0, vega, rho)


def _degenerate(
    S: FloatArray,
    K: FloatArray,
    T: FloatArray,
    r: FloatArray,
    q: FloatArray,
    sign: FloatArray,
    s_q: FloatArray,
    k_r: FloatArray,
) -> dict[str, FloatArray]:
    """Limits for expired contracts (payoff) and zero volatility (discounted forward intrinsic)."""
    expired = T <= 0
    spot_itm = sign * (S - K) > 0
    fwd_itm = sign * (s_q - k_r) > 0
    itm = np.where(expired, spot_itm, fwd_itm)
    price = np.where(
        expired,
        np.maximum(sign * (S - K), 0.0),
        np.maximum(sign * (s_q - k_r), 0.0),
    )
    delta = np.where(itm, sign * np.where(expired, 1.0, np.exp(-q * np.maximum(T, 0.0))), 0.0)
    theta = np.where(~expired & fwd_itm, sign * (q * s_q - r * k_r), 0.0)
    rho = np.where(~expired & fwd_itm, sign * k_r * T * 0.01, 0.0)
    return {"price": price, "delta": delta, "theta": theta, "rho": rho}
