"""Per-contract analytics for a chain and the per-(underlying, snapshot, expiry) summary metrics.

Input is a pandas DataFrame with the parsers' contract columns (``underlying``, ``snapshot_ts``
tz-aware, ``expiry`` date, ``strike``, ``option_type`` C/CE/P/PE, ``last_price``, ``bid``, ``ask``,
``volume``, ``open_interest``, ``underlying_price``); this module imports nothing from the sources.

Conventions (documented here because the marts expose the numbers):

* Time to expiry is calendar time, ``seconds / (365 * 86400)``, from the snapshot to the market's
  expiry close (NSE 15:30 Asia/Kolkata, US 16:00 America/New_York), matching theta per calendar day.
* The forward is ``S e^{(r-q)T}`` with the caller's rate and dividend yield.
* ATM IV: the smile is read from the out-of-the-money side (puts below the forward, calls at or
  above it, falling back to the other side where the OTM side has no IV) and interpolated linearly
  in strike at the forward; when the forward lies outside the strikes that have an IV, the nearest
  strike's IV is used.
* 25-delta skew: IV of the 25-delta put minus IV of the 25-delta call. Deltas are BSM spot deltas
  (with ``e^{-qT}``) at each contract's own IV, over OTM contracts with an OK IV; the IV at
  delta -0.25 / +0.25 is interpolated linearly in delta and never extrapolated (None if not bracketed).
* Max pain: the listed strike that minimises the total intrinsic value paid to option holders,
  ``sum_calls OI * max(P-K, 0) + sum_puts OI * max(K-P, 0)``; ties go to the lowest strike.
* Put-call ratios: total put / total call open interest and volume; None when the call total is 0.
* IV rank/percentile over 52 weeks of our own daily ATM-IV history: see :func:`iv_rank_percentile`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time, timedelta
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from valuation_platform.analytics.options.bsm import bsm_greeks, option_sign
from valuation_platform.analytics.options.implied_vol import IVStatus, implied_volatility, quote_price

NSE_EXPIRY_TIME = time(15, 30)
NSE_TZ = "Asia/Kolkata"
US_EXPIRY_TIME = time(16, 0)
US_TZ = "America/New_York"
SECONDS_PER_YEAR = 365.0 * 86400.0

# A rank over a few weeks says nothing about where vol sits in its yearly range: require about six
# months of trading days inside the 52-week window before answering.
MIN_IV_HISTORY = 126
IV_HISTORY_WINDOW = timedelta(weeks=52)

GREEK_COLUMNS = ("delta", "gamma", "theta", "theta_per_day", "vega", "rho")


def year_fraction(
    snapshot_ts: ArrayLike,
    expiry: ArrayLike,
    *,
    expiry_time: time = NSE_EXPIRY_TIME,
    tz: str = NSE_TZ,
) -> np.ndarray:
    """Calendar years from each (tz-aware) snapshot to its expiry date's close in ``tz``."""
    snap = pd.to_datetime(pd.Series(snapshot_ts), utc=True)
    exp_day = pd.to_datetime(pd.Series(expiry))
    close = (exp_day + pd.Timedelta(hours=expiry_time.hour, minutes=expiry_time.minute)).dt.tz_localize(tz)
    seconds = (close.dt.tz_convert("UTC").to_numpy() - snap.to_numpy()) / np.timedelta64(1, "s")
    return np.asarray(seconds, dtype=np.float64) / SECONDS_PER_YEAR


def enrich_chain(
    contracts: pd.DataFrame,
    *,
    rate: float | ArrayLike,
    dividend_yield: float | ArrayLike = 0.0,
    expiry_time: time = NSE_EXPIRY_TIME,
    tz: str = NSE_TZ,
) -> pd.DataFrame:
    """A copy of ``contracts`` with ``t_years``, ``forward``, ``price`` (mid, else last), ``iv``,
    ``iv_status`` and the Greeks at that IV (NaN where ``iv_status`` is not OK)."""
    df = contracts.reset_index(drop=True).copy()
    spot = df["underlying_price"].to_numpy(dtype=np.float64)
    t_years = year_fraction(df["snapshot_ts"], df["expiry"], expiry_time=expiry_time, tz=tz)
    r = np.broadcast_to(np.asarray(rate, dtype=np.float64), t_years.shape)
    q = np.broadcast_to(np.asarray(dividend_yield, dtype=np.float64), t_years.shape)
    price = quote_price(_col(df, "bid"), _col(df, "ask"), _col(df, "last_price"))
    option_type = df["option_type"].to_numpy(dtype=str)
    iv, status = implied_volatility(
        price, spot, df["strike"].to_numpy(dtype=np.float64), t_years, r, q, option_type
    )
    greeks = bsm_greeks(spot, df["strike"].to_numpy(dtype=np.float64), t_years, r, iv, q, option_type)
    df["t_years"] = t_years
    df["rate"] = r
    df["dividend_yield"] = q
    df["forward"] = spot * np.exp((r - q) * t_years)
    df["price"] = price
    df["iv"] = iv
    df["iv_status"] = status
    for name in GREEK_COLUMNS:
        df[name] = getattr(greeks, name)  # NaN iv -> NaN Greeks, explained by iv_status
    return df


def _col(df: pd.DataFrame, name: str) -> np.ndarray:
    return pd.to_numeric(df[name], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


# -- single-expiry metrics ---------------------------------------------------------------------


def put_call_ratio(
    option_type: ArrayLike, open_interest: ArrayLike, volume: ArrayLike
) -> dict[str, float | None]:
    """Put/call ratios by open interest and by volume (missing values count as 0)."""
    is_call = option_sign(option_type) > 0
    oi = np.nan_to_num(np.asarray(open_interest, dtype=np.float64))
    vol = np.nan_to_num(np.asarray(volume, dtype=np.float64))
    call_oi, put_oi = float(oi[is_call].sum()), float(oi[~is_call].sum())
    call_vol, put_vol = float(vol[is_call].sum()), float(vol[~is_call].sum())
    return {
        "pcr_oi": put_oi / call_oi if call_oi > 0 else None,
        "pcr_volume": put_vol / call_vol if call_vol > 0 else None,
        "call_oi": call_oi,
        "put_oi": put_oi,
        "call_volume": call_vol,
        "put_volume": put_vol,
    }


def max_pain(strike: ArrayLike, option_type: ArrayLike, open_interest: ArrayLike) -> float | None:
    """The listed strike minimising the holders' total intrinsic payout; None without open interest."""
    k = np.asarray(strike, dtype=np.float64)
    oi = np.nan_to_num(np.asarray(open_interest, dtype=np.float64))
    if k.size == 0 or oi.sum() <= 0:
        return None
    sign = option_sign(option_type)
    candidates = np.unique(k)  # sorted, so argmin's first hit is the lowest tied strike
    # payout[i] = sum_j OI_j * max(sign_j * (P_i - K_j), 0)
    payout = (np.maximum(sign[None, :] * (candidates[:, None] - k[None, :]), 0.0) * oi[None, :]).sum(axis=1)
    return float(candidates[int(np.argmin(payout))])


def atm_iv(strike: ArrayLike, option_type: ArrayLike, iv: ArrayLike, forward: float) -> float | None:
    """IV at the forward from the OTM side of the smile (see module doc); None if no IV at all."""
    smile = _otm_smile(strike, option_type, iv, forward)
    if smile is None:
        return None
    ks, vols = smile
    if forward <= ks[0]:
        return float(vols[0])
    if forward >= ks[-1]:
        return float(vols[-1])
    return float(np.interp(forward, ks, vols))


def _otm_smile(strike: ArrayLike, option_type: ArrayLike, iv: ArrayLike, forward: float):
    k = np.asarray(strike, dtype=np.float64)
    v = np.asarray(iv, dtype=np.float64)
    is_call = option_sign(option_type) > 0
    ok = np.isfinite(v) & (v > 0)
    smile: dict[float, float] = {}
    fallback: dict[float, float] = {}
    for kk, vv, call in zip(k[ok], v[ok], is_call[ok], strict=True):
        otm = call if kk >= forward else not call
        (smile if otm else fallback)[float(kk)] = float(vv)
    for kk, vv in fallback.items():
        smile.setdefault(kk, vv)
    if not smile:
        return None
    ks = np.array(sorted(smile))
    return ks, np.array([smile[kk] for kk in ks])


def skew_25d(
    strike: ArrayLike,
    option_type: ArrayLike,
    iv: ArrayLike,
    *,
    spot: float,
    t_years: float,
    rate: float,
    dividend_yield: float,
    target_delta: float = 0.25,
) -> dict[str, float | None]:
    """``{'iv_put_25d', 'iv_call_25d', 'skew_25d'}`` (see module doc); Nones where not bracketed."""
    k = np.asarray(strike, dtype=np.float64)
    v = np.asarray(iv, dtype=np.float64)
    sign = option_sign(option_type)
    forward = spot * np.exp((rate - dividend_yield) * t_years)
    ok = np.isfinite(v) & (v > 0) & (t_years > 0)
    deltas = bsm_greeks(spot, k, t_years, rate, np.where(ok, v, np.nan), dividend_yield, sign).delta
    put_mask = ok & (sign < 0) & (k < forward)
    call_mask = ok & (sign > 0) & (k >= forward)
    iv_put = _interp_no_extrapolation(-target_delta, deltas[put_mask], v[put_mask])
    iv_call = _interp_no_extrapolation(target_delta, deltas[call_mask], v[call_mask])
    skew = iv_put - iv_call if iv_put is not None and iv_call is not None else None
    return {"iv_put_25d": iv_put, "iv_call_25d": iv_call, "skew_25d": skew}


def _interp_no_extrapolation(x: float, xs: np.ndarray, ys: np.ndarray) -> float | None:
    if xs.size == 0:
        return None
    order = np.argsort(xs)
    xs, ys = xs[order], ys[order]
    if x < xs[0] or x > xs[-1]:
        return None
    return float(np.interp(x, xs, ys))


def iv_rank_percentile(
    history_dates: Sequence[date] | ArrayLike,
    history_iv: ArrayLike,
    current_iv: float | None,
    as_of: date,
    *,
    min_observations: int = MIN_IV_HISTORY,
) -> dict[str, float | int | None]:
    """IV rank and IV percentile of ``current_iv`` against our own daily ATM-IV history.

    The window is the 52 weeks before ``as_of`` (``as_of`` itself excluded; NaN days dropped).
    ``iv_rank = (cur - min) / (max - min)`` with min/max over the window *and* the current value, so it
    lies in [0, 1]; ``iv_percentile`` = share of window days whose IV is strictly below the current.
    Both are None with fewer than ``min_observations`` days (default :data:`MIN_IV_HISTORY`) or no
    current IV; the rank is also None when the range is zero.
    """
    stamps = pd.to_datetime(pd.Series(list(history_dates), dtype=object), errors="coerce")
    values = np.asarray(history_iv, dtype=np.float64)
    if stamps.size != values.size:
        raise ValueError("history_dates and history_iv must have the same length")
    start, end = pd.Timestamp(as_of - IV_HISTORY_WINDOW), pd.Timestamp(as_of)
    in_window = ((stamps >= start) & (stamps < end)).to_numpy(dtype=bool)  # NaT compares False
    window = values[in_window & np.isfinite(values)]
    n = int(window.size)
    if current_iv is None or not np.isfinite(current_iv) or n < min_observations:
        return {"iv_rank": None, "iv_percentile": None, "n_observations": n}
    lo = min(float(window.min()), current_iv)
    hi = max(float(window.max()), current_iv)
    rank = (current_iv - lo) / (hi - lo) if hi > lo else None
    return {"iv_rank": rank, "iv_percentile": float(np.mean(window < current_iv)), "n_observations": n}


# -- the chain summary -------------------------------------------------------------------------


def chain_metrics(enriched: pd.DataFrame) -> list[dict[str, Any]]:
    """One row per (underlying, snapshot_ts, expiry) of an :func:`enrich_chain` frame.

    Keys: underlying, snapshot_ts, expiry, t_years, underlying_price, forward, n_contracts, n_iv_ok,
    pcr_oi, pcr_volume, call_oi, put_oi, call_volume, put_volume, max_pain, atm_iv, iv_put_25d,
    iv_call_25d, skew_25d. Metrics that cannot be computed are None.
    """
    rows: list[dict[str, Any]] = []
    for (underlying, snapshot_ts, expiry), g in enriched.groupby(
        ["underlying", "snapshot_ts", "expiry"], sort=True
    ):
        spot = float(g["underlying_price"].iloc[0])
        t = float(g["t_years"].iloc[0])
        r = float(g["rate"].iloc[0])
        q = float(g["dividend_yield"].iloc[0])
        forward = float(g["forward"].iloc[0])
        types = g["option_type"].to_numpy(dtype=str)
        strikes = g["strike"].to_numpy(dtype=np.float64)
        iv = np.where(
            g["iv_status"].to_numpy() == IVStatus.OK.value, g["iv"].to_numpy(dtype=np.float64), np.nan
        )
        row: dict[str, Any] = {
            "underlying": underlying,
            "snapshot_ts": snapshot_ts,
            "expiry": expiry,
            "t_years": t,
            "underlying_price": spot,
            "forward": forward,
            "n_contracts": int(len(g)),
            "n_iv_ok": int(np.isfinite(iv).sum()),
        }
        row |= put_call_ratio(types, _col(g, "open_interest"), _col(g, "volume"))
        row["max_pain"] = max_pain(strikes, types, _col(g, "open_interest"))
        row["atm_iv"] = atm_iv(strikes, types, iv, forward) if t > 0 else None
        row |= skew_25d(strikes, types, iv, spot=spot, t_years=t, rate=r, dividend_yield=q)
        rows.append(row)
    return rows
