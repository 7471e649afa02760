"""Option strategies built from one chain snapshot, evaluated for the ``fct_option_strategies`` mart.

Strategies (per unit of underlying; multiply by the lot size or ``shares_per_contract`` downstream):

* ``iron_condor``: short ~20-delta put and call, each protected by a long option ``wing_strikes``
  listed strikes further out of the money.
* ``bull_put_spread``: short ~30-delta put, long put ``wing_strikes`` strikes lower.
* ``bear_call_spread``: short ~30-delta call, long call ``wing_strikes`` strikes higher.
* ``covered_call``: long one unit of the underlying at spot, short a ~30-delta call.
* ``long_straddle``: long call and put at the listed strike nearest the forward.

Legs are priced at the mid (else last) and only contracts with a usable price and an OK implied
volatility are eligible (wings count strikes among those); a strategy whose legs cannot all be found
is skipped, not approximated. Short legs are chosen among out-of-the-money contracts by BSM delta.

Measures:

* ``net_premium``: option premium received (+) or paid (-); the underlying leg is not premium.
* P&L at expiry is piecewise linear in the terminal price, so ``max_profit``/``max_loss`` are exact
  (evaluated at 0 and every strike, plus the slope beyond the last strike); ``max_profit`` is None when
  unbounded (long straddle) and ``max_loss`` (a positive number) is None when unbounded.
* ``breakevens``: exact roots of that piecewise-linear P&L.
* ``pop``: probability that P&L at expiry is > 0 when the terminal price is lognormal under the
  risk-neutral measure, ``ln S_T ~ N(ln S + (r - q - sigma^2/2) T, sigma^2 T)``, with ``sigma`` the
  expiry's ATM IV (the mean IV of the legs when there is none).
* ``margin`` (approximate, not an exchange's SPAN calculation). Short calls count as covered by long
  calls or long shares, short puts by long puts. Fully covered with an underlying leg: the net
  capital outlay (shares at spot minus premium received). Fully covered without one (defined risk):
  the maximum loss (spread width minus credit, or the debit paid). Otherwise the CBOE/FINRA naked
  rule of thumb on the uncovered quantity, per short option: premium + max(20 % of spot - the
  out-of-the-money amount, 10 % of spot for calls / 10 % of strike for puts).
* ``risk_reward``: reward / risk = ``max_profit / max_loss``; when the profit is unbounded the reward
  is the best expiry P&L at the lognormal 2-sigma quantiles of ``S_T``. ``rank`` orders strategies of
  one (underlying, snapshot, expiry) by ``risk_reward``, 1 = best; None ratios rank last.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from valuation_platform.analytics.options.bsm import bsm_price, ndtr, option_sign
from valuation_platform.analytics.options.chain_metrics import atm_iv
from valuation_platform.analytics.options.implied_vol import IVStatus

STRATEGY_NAMES = ("iron_condor", "bull_put_spread", "bear_call_spread", "covered_call", "long_straddle")
NAKED_PCT_OF_SPOT = 0.20
NAKED_MIN_PCT = 0.10
MIN_VOL = 1e-4  # vol shocks are floored here so a -20 pt shock on a 15 % IV stays priceable


@dataclass(frozen=True)
class Leg:
    """One position: ``quantity`` +1 long / -1 short per unit of underlying, ``price`` per unit paid."""

    instrument: str  # "option" | "underlying"
    quantity: float
    price: float
    option_type: str | None = None  # the chain's label (C/CE/P/PE)
    strike: float | None = None
    iv: float | None = None

    @property
    def is_option(self) -> bool:
        return self.instrument == "option"

    @property
    def sign(self) -> float:
        """+1 call, -1 put, 0 underlying."""
        return float(option_sign(self.option_type)) if self.is_option else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument,
            "option_type": self.option_type,
            "strike": self.strike,
            "quantity": self.quantity,
            "price": self.price,
            "iv": self.iv,
        }


@dataclass(frozen=True)
class Strategy:
    name: str
    legs: tuple[Leg, ...]

    @property
    def net_premium(self) -> float:
        return float(sum(-leg.quantity * leg.price for leg in self.legs if leg.is_option))

    @property
    def entry_cost(self) -> float:
        """Cash paid to open (+) or received (-), underlying included."""
        return float(sum(leg.quantity * leg.price for leg in self.legs))


# -- P&L ---------------------------------------------------------------------------------------


def pnl_at_expiry(strategy: Strategy, prices: ArrayLike) -> NDArray[np.float64]:
    """P&L per unit of underlying at expiry for each terminal price in ``prices``."""
    s_t = np.asarray(prices, dtype=np.float64)
    total = np.full(s_t.shape, -strategy.entry_cost)
    for leg in strategy.legs:
        if leg.is_option:
            total = total + leg.quantity * np.maximum(leg.sign * (s_t - leg.strike), 0.0)
        else:
            total = total + leg.quantity * s_t
    return total


def pnl_today(
    strategy: Strategy,
    prices: ArrayLike,
    vol_shifts: ArrayLike,
    *,
    t_years: float,
    rate: float,
    dividend_yield: float = 0.0,
    days_forward: float = 0.0,
) -> NDArray[np.float64]:
    """Mark-to-model P&L over a grid: rows = ``vol_shifts`` (absolute, 0.05 = +5 vol points added to
    every leg's IV), columns = underlying ``prices``; ``days_forward`` calendar days pass first."""
    s = np.asarray(prices, dtype=np.float64)[None, :]
    dv = np.asarray(vol_shifts, dtype=np.float64)[:, None]
    t = max(t_years - days_forward / 365.0, 0.0)
    value = np.zeros((dv.shape[0], s.shape[1]))
    for leg in strategy.legs:
        if leg.is_option:
            vol = np.maximum((leg.iv or 0.0) + dv, MIN_VOL)
            value = value + leg.quantity * bsm_price(
                s, leg.strike, t, rate, vol, dividend_yield, leg.option_type
            )
        else:
            value = value + leg.quantity * np.broadcast_to(s, value.shape)
    return value - strategy.entry_cost


# -- expiry profile ----------------------------------------------------------------------------


def expiry_profile(strategy: Strategy) -> dict[str, Any]:
    """``max_profit``, ``max_loss`` (positive; None = unbounded) and sorted ``breakevens``."""
    kinks = np.unique(
        np.array([0.0] + [leg.strike for leg in strategy.legs if leg.is_option], dtype=np.float64)
    )
    values = pnl_at_expiry(strategy, kinks)
    slope = float(
        sum(leg.quantity for leg in strategy.legs if (leg.is_option and leg.sign > 0) or not leg.is_option)
    )
    scale = max(1.0, float(np.abs(values).max()))
    zero = np.abs(values) <= 1e-12 * scale
    roots: list[float] = [float(k) for k, z in zip(kinks, zero, strict=True) if z and k > 0]
    for i in range(kinks.size - 1):
        v0, v1 = values[i], values[i + 1]
        if not zero[i] and not zero[i + 1] and v0 * v1 < 0:
            roots.append(float(kinks[i] - v0 * (kinks[i + 1] - kinks[i]) / (v1 - v0)))
    if not zero[-1] and values[-1] * slope < 0:
        roots.append(float(kinks[-1] - values[-1] / slope))
    best, worst = float(values.max()), float(values.min())
    return {
        "max_profit": None if slope > 0 else best,
        "max_loss": None if slope < 0 else -worst,
        "breakevens": sorted(set(round(r, 10) for r in roots)),
    }


def lognormal_cdf(
    x: ArrayLike, *, spot: float, t_years: float, rate: float, dividend_yield: float, sigma: float
):
    """Risk-neutral P(S_T <= x) for lognormal S_T."""
    x = np.asarray(x, dtype=np.float64)
    sd = sigma * np.sqrt(t_years)
    drift = (rate - dividend_yield - 0.5 * sigma * sigma) * t_years
    with np.errstate(divide="ignore"):
        z = (np.log(x / spot) - drift) / sd
    return ndtr(z)


def probability_of_profit(
    strategy: Strategy, *, spot: float, t_years: float, rate: float, dividend_yield: float, sigma: float
) -> float | None:
    """P(P&L at expiry > 0) under the risk-neutral lognormal law (see module doc)."""
    if not (t_years > 0 and sigma > 0):
        return None
    breakevens = expiry_profile(strategy)["breakevens"]
    last_kink = max([leg.strike for leg in strategy.legs if leg.is_option] + [spot])
    edges = [0.0, *breakevens, np.inf]
    probability = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        probe = 0.5 * (lo + hi) if np.isfinite(hi) else 2.0 * max(lo, last_kink) + 1.0
        if pnl_at_expiry(strategy, probe) > 0:
            cdf = lognormal_cdf(
                [lo, hi], spot=spot, t_years=t_years, rate=rate, dividend_yield=dividend_yield, sigma=sigma
            )
            probability += float(cdf[1] - cdf[0])
    return probability


def approx_margin(strategy: Strategy, *, spot: float, max_loss: float | None) -> float:
    """Approximate capital/margin requirement per unit (rules in the module doc)."""
    long_qty = {1.0: 0.0, -1.0: 0.0}
    short_qty = {1.0: 0.0, -1.0: 0.0}
    for leg in strategy.legs:
        if leg.is_option:
            (long_qty if leg.quantity > 0 else short_qty)[leg.sign] += abs(leg.quantity)
    shares = sum(leg.quantity for leg in strategy.legs if not leg.is_option)
    # Short calls are covered by long calls or long shares, short puts by long puts.
    naked = {
        1.0: max(0.0, short_qty[1.0] - long_qty[1.0] - max(shares, 0.0)),
        -1.0: max(0.0, short_qty[-1.0] - long_qty[-1.0]),
    }
    if not any(naked.values()):
        if shares:
            return strategy.entry_cost
        if max_loss is not None:
            return max_loss
    total = 0.0
    for leg in strategy.legs:
        if leg.is_option and leg.quantity < 0 and naked[leg.sign] > 0:
            uncovered = -leg.quantity * naked[leg.sign] / short_qty[leg.sign]
            otm = max(leg.sign * (leg.strike - spot), 0.0)  # call: K - S above spot; put: S - K below
            floor = NAKED_MIN_PCT * (spot if leg.sign > 0 else leg.strike)
            total += uncovered * (leg.price + max(NAKED_PCT_OF_SPOT * spot - otm, floor))
    return total


# -- building from a chain ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Contracts:
    """One expiry's usable contracts of one side as arrays, in the chain's row order. Legs are picked with
    numpy: a pandas selection costs ~1 ms, and an evening picks legs for ~1,000 expiries."""

    strike: NDArray[np.float64]
    delta: NDArray[np.float64]
    price: NDArray[np.float64]
    iv: NDArray[np.float64]
    option_type: NDArray[np.str_]

    def where(self, mask: NDArray[np.bool_]) -> _Contracts:
        return _Contracts(self.strike[mask], self.delta[mask], self.price[mask], self.iv[mask], self.option_type[mask])

    def leg(self, i: int, quantity: float) -> Leg:
        return Leg("option", quantity, float(self.price[i]), str(self.option_type[i]), float(self.strike[i]),
                   float(self.iv[i]))

    def nearest_delta(self, target: float) -> int | None:
        """The first contract whose delta is nearest ``target`` (contracts without a delta never are)."""
        distance = np.abs(self.delta - target)
        return None if not np.isfinite(distance).any() else int(np.nanargmin(distance))

    def wing(self, short_strike: float, direction: float, steps: int) -> int | None:
        """The contract ``steps`` listed strikes beyond ``short_strike`` (fewer if the chain ends)."""
        beyond = np.flatnonzero(direction * (self.strike - short_strike) > 0)
        if not beyond.size:
            return None
        outward = beyond[np.argsort(direction * self.strike[beyond], kind="stable")]
        return int(outward[min(steps, outward.size) - 1])


_SIDES_COLUMNS = ("strike", "delta", "price", "iv", "option_type", "iv_status")  # _sides' arguments, in order


def _sides(
    strike: ArrayLike, delta: ArrayLike, price: ArrayLike, iv: ArrayLike, option_type: ArrayLike, iv_status: ArrayLike,
) -> tuple[_Contracts, _Contracts]:
    """(calls, puts) among the contracts with a usable price and an OK implied volatility."""
    price = np.asarray(price, dtype=np.float64)
    ok = (np.asarray(iv_status) == IVStatus.OK.value) & np.isfinite(price) & (price > 0)
    usable = _Contracts(np.asarray(strike, dtype=np.float64)[ok], np.asarray(delta, dtype=np.float64)[ok], price[ok],
                        np.asarray(iv, dtype=np.float64)[ok], np.asarray(option_type, dtype=str)[ok])
    sign = option_sign(usable.option_type) if ok.any() else np.empty(0)
    return usable.where(sign > 0), usable.where(sign < 0)


def build_strategies(chain: pd.DataFrame, *, spot: float, forward: float, **options: Any) -> list[Strategy]:
    """Strategies from one expiry of an enriched chain (``price``, ``iv``, ``iv_status``, ``delta``); ``options``
    are :func:`_strategies`' deltas and wing width."""
    return _strategies(*_sides(*(chain[c].to_numpy() for c in _SIDES_COLUMNS)), spot=spot, forward=forward, **options)


def _strategies(
    calls: _Contracts,
    puts: _Contracts,
    *,
    spot: float,
    forward: float,
    condor_delta: float = 0.20,
    spread_delta: float = 0.30,
    covered_call_delta: float = 0.30,
    wing_strikes: int = 2,
) -> list[Strategy]:
    """The strategies whose legs ``calls`` and ``puts`` (one expiry's usable contracts) hold."""
    otm_calls, otm_puts = calls.where(calls.strike > spot), puts.where(puts.strike < spot)
    out: list[Strategy] = []

    def spread(side: _Contracts, target: float, direction: float) -> tuple[Leg, Leg] | None:
        short = side.nearest_delta(target)
        if short is None:
            return None
        wing = side.wing(float(side.strike[short]), direction, wing_strikes)
        return None if wing is None else (side.leg(short, -1.0), side.leg(wing, 1.0))

    put_wing, call_wing = spread(otm_puts, -condor_delta, -1.0), spread(otm_calls, condor_delta, 1.0)
    if put_wing and call_wing:
        out.append(Strategy("iron_condor", (put_wing[1], put_wing[0], call_wing[0], call_wing[1])))
    if bull := spread(otm_puts, -spread_delta, -1.0):
        out.append(Strategy("bull_put_spread", (bull[1], bull[0])))
    if bear := spread(otm_calls, spread_delta, 1.0):
        out.append(Strategy("bear_call_spread", (bear[0], bear[1])))
    if (covered := otm_calls.nearest_delta(covered_call_delta)) is not None:
        out.append(Strategy("covered_call", (Leg("underlying", 1.0, float(spot)), otm_calls.leg(covered, -1.0))))
    both = set(calls.strike.tolist()) & set(puts.strike.tolist())
    if both:
        k = min(both, key=lambda k: (abs(k - forward), k))
        call, put = np.flatnonzero(calls.strike == k)[0], np.flatnonzero(puts.strike == k)[0]
        out.append(Strategy("long_straddle", (calls.leg(call, 1.0), puts.leg(put, 1.0))))
    return out


def evaluate_strategy(
    strategy: Strategy,
    *,
    spot: float,
    t_years: float,
    rate: float,
    dividend_yield: float,
    sigma: float | None,
) -> dict[str, Any]:
    """The mart measures of one strategy (without ``rank`` and the chain identifiers)."""
    profile = expiry_profile(strategy)
    leg_ivs = [leg.iv for leg in strategy.legs if leg.is_option and leg.iv]
    vol = sigma if sigma and sigma > 0 else (float(np.mean(leg_ivs)) if leg_ivs else None)
    pop = (
        probability_of_profit(
            strategy, spot=spot, t_years=t_years, rate=rate, dividend_yield=dividend_yield, sigma=vol
        )
        if vol
        else None
    )
    reward = profile["max_profit"]
    if reward is None and vol:
        drift = (rate - dividend_yield - 0.5 * vol * vol) * t_years
        sd = vol * np.sqrt(t_years)
        reward = float(pnl_at_expiry(strategy, spot * np.exp(drift + np.array([-2.0, 2.0]) * sd)).max())
    risk = profile["max_loss"]
    risk_reward = reward / risk if reward is not None and risk is not None and risk > 0 else None
    return {
        "strategy": strategy.name,
        "legs": [leg.as_json() for leg in strategy.legs],
        "net_premium": strategy.net_premium,
        "max_profit": profile["max_profit"],
        "max_loss": profile["max_loss"],
        "breakevens": profile["breakevens"],
        "pop": pop,
        "margin": approx_margin(strategy, spot=spot, max_loss=risk),
        "risk_reward": risk_reward,
    }


def rank_by_risk_reward(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copies of ``rows`` with ``rank`` (1 = highest risk_reward, None ratios last, ties by name)."""
    order = sorted(
        range(len(rows)),
        key=lambda i: (rows[i]["risk_reward"] is None, -(rows[i]["risk_reward"] or 0.0), rows[i]["strategy"]),
    )
    ranked = [dict(rows[i]) for i in order]
    for position, row in enumerate(ranked, start=1):
        row["rank"] = position
    return ranked


def strategy_rows(enriched: pd.DataFrame, **build_options: Any) -> list[dict[str, Any]]:
    """``fct_option_strategies`` rows for every (underlying, snapshot_ts, expiry) of an enriched chain.

    Keys: underlying, snapshot_ts, expiry, strategy, legs (list of dicts), net_premium, max_profit,
    max_loss, breakevens (list of floats), pop, margin, risk_reward, rank. Expired expiries are skipped.
    """
    out: list[dict[str, Any]] = []
    if enriched.empty:
        return out
    keys = ["underlying", "snapshot_ts", "expiry"]
    group = enriched.groupby(keys, sort=True).ngroup().to_numpy()  # sorted by key; -1: a key is missing
    order = np.argsort(group, kind="stable")
    order = order[group[order] >= 0]
    starts = np.flatnonzero(np.r_[True, np.diff(group[order]) != 0])
    column = {c: enriched[c].to_numpy()
              for c in ("t_years", "underlying_price", "forward", "rate", "dividend_yield", *_SIDES_COLUMNS)}
    for rows_of in np.split(order, starts[1:]):  # each expiry's rows, in the chain's order
        first = rows_of[0]
        t = float(column["t_years"][first])
        if not t > 0:
            continue
        spot, forward = float(column["underlying_price"][first]), float(column["forward"][first])
        r, q = float(column["rate"][first]), float(column["dividend_yield"][first])
        g = {c: column[c][rows_of] for c in _SIDES_COLUMNS}
        ok = g["iv_status"] == IVStatus.OK.value
        sigma = atm_iv(g["strike"][ok], g["option_type"][ok].astype(str), g["iv"][ok], forward)
        rows = [
            evaluate_strategy(s, spot=spot, t_years=t, rate=r, dividend_yield=q, sigma=sigma)
            for s in _strategies(*_sides(*g.values()), spot=spot, forward=forward, **build_options)
        ]
        identity = {key: enriched[key].iloc[first] for key in keys}  # the groupby key's own values and types
        for row in rank_by_risk_reward(rows):
            out.append({**identity, **row})
    return out
