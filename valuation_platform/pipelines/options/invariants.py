"""Domain invariants on ``marts.fct_option_chain``, checked against identities nobody here wrote.

* :func:`model_parity`: put-call parity is model-free (a call minus a put of one strike and expiry is a
  forward: ``C - P = S e^-qT - K e^-rT``). Our pricer, run at one common vol for both sides of every
  stored strike/expiry pair, must satisfy it, and so must its Greeks' parity images
  (``delta_C - delta_P = e^-qT``, equal gamma, equal vega). A wrong discount factor, a put formula that
  drifts from the call's, or a Greek formula that is not the price's derivative breaks them. And each
  stored IV must reprice its quote: the solver is judged by the pricer, not by itself.
* :func:`greeks_bounds`: signs and no-arbitrage bounds of the stored Greeks.
* :func:`quote_parity`: parity on the market's own mids (data quality: the quotes, r and q).

Each reads the latest trading day of every underlying, so its cost stays flat as history accumulates.
Results are plain Python (``passed``, report values); ``defs/options/checks.py`` makes them Dagster's.
"""

from __future__ import annotations

from collections.abc import Callable

from dataclasses import dataclass
from typing import Any

import numpy as np
import psycopg

from valuation_platform.analytics.options.bsm import bsm_greeks, bsm_price
from valuation_platform.pipelines.options.frames import read_frame
from valuation_platform.pipelines.report import Json, Markdown

MODEL_TOLERANCE = 1e-9  # relative to max(S, K): parity of our own prices holds to rounding
REPRICE_TOLERANCE = 1e-6  # relative to max(1, quote): the IV solver's own tolerance is far tighter
BOUND_SLACK = 1e-12  # floating-point slack on the delta bounds
# Quotes sit on a tick grid, so a mid is only known to within a tick: NSE index options trade in 0.05
# rupee ticks, US options in cents.
TICKS = {"nse": 0.05, "us": 0.01}
MAX_QUOTE_PARITY_VIOLATION_SHARE = 0.05

LATEST = """
with latest as (
    select underlying, max(trade_date) as trade_date from marts.fct_option_chain group by underlying
)
select c.* from marts.fct_option_chain c join latest using (underlying, trade_date)
"""

# A call and its put (same underlying, snapshot, expiry and strike: the mart's key holds one of each) as one
# row, by grouping rather than a self-join: the planner estimates the latest-snapshot CTE at a few hundred
# rows and pairs it by nested loop (a check on 200 underlyings' 25,000 quotes still ran after 1 min 49 s;
# grouped, 0.5-1.8 s).
def _paired(rows: str, call: dict[str, str], put: dict[str, str]) -> str:
    columns = [f"max({expr}) filter (where option_type = 'C') as {name}" for name, expr in call.items()]
    columns += [f"max({expr}) filter (where option_type = 'P') as {name}" for name, expr in put.items()]
    return f"""
with rows as ({rows})
select underlying, snapshot_ts, expiry, strike, {", ".join(columns)}
from rows
group by underlying, snapshot_ts, expiry, strike
having bool_or(option_type = 'C') and bool_or(option_type = 'P')
"""


MODEL_PAIRS = _paired(
    f"{LATEST} where c.iv_status = 'OK' and c.time_to_expiry > 0",
    {"s": "underlying_price", "t": "time_to_expiry", "r": "risk_free_rate", "q": "dividend_yield", "call_iv": "iv"},
    {"put_iv": "iv"},
)

QUOTE_PAIRS = _paired(
    f"{LATEST} where c.bid > 0 and c.ask > 0 and c.time_to_expiry > 0",
    {"market": "market", "underlying_price": "underlying_price", "time_to_expiry": "time_to_expiry",
     "risk_free_rate": "risk_free_rate", "dividend_yield": "dividend_yield", "call_price": "quote_price",
     "call_half_spread": "(ask - bid) / 2"},
    {"put_price": "quote_price", "put_half_spread": "(ask - bid) / 2"},
)


@dataclass
class CheckOutcome:
    passed: bool
    metadata: dict[str, Any]


# What an options asset check runs: one invariant over the warehouse.
Invariant = Callable[[psycopg.Connection], CheckOutcome]


def _worst(label: np.ndarray, excess: np.ndarray, n: int = 5) -> Markdown:
    order = np.argsort(-excess)[:n]
    return Markdown("\n".join(f"- {label[i]}: {excess[i]:.3g} beyond tolerance" for i in order if excess[i] > 0)
                    or "none")


def model_parity(conn: psycopg.Connection) -> CheckOutcome:
    pairs = read_frame(conn, MODEL_PAIRS)
    ok_rows = read_frame(conn, f"{LATEST} where c.iv_status = 'OK'")
    if pairs.empty or ok_rows.empty:
        return CheckOutcome(False, {"pairs_checked": len(pairs), "rows_checked": len(ok_rows),
                                    "reason": "no IV-solved call/put pair in the latest snapshot"})
    s, k, t, r, q = (pairs[c].to_numpy(float) for c in ("s", "strike", "t", "r", "q"))
    scale = np.maximum(s, k)
    forward_value = s * np.exp(-q * t) - k * np.exp(-r * t)
    errors: dict[str, np.ndarray] = {}
    for side in ("call_iv", "put_iv"):  # one common vol for both legs, each side's vol in turn
        vol = pairs[side].to_numpy(float)
        call, put = (bsm_greeks(s, k, t, r, vol, q, kind) for kind in ("C", "P"))
        price_gap = np.abs(call.price - put.price - forward_value) / scale
        delta_gap = np.abs(call.delta - put.delta - np.exp(-q * t))
        gamma_gap = np.abs(call.gamma - put.gamma) * s  # dimensionless: change in delta per 100 % move
        vega_gap = np.abs(call.vega - put.vega) / scale
        errors[side] = np.maximum.reduce([price_gap, delta_gap, gamma_gap, vega_gap])
    parity_gap = np.maximum(errors["call_iv"], errors["put_iv"])
    stored = ok_rows["quote_price"].to_numpy(float)
    repriced = bsm_price(*(ok_rows[c].to_numpy(float) for c in ("underlying_price", "strike", "time_to_expiry",
                                                                 "risk_free_rate", "iv", "dividend_yield")),
                         ok_rows["option_type"].to_numpy(str))
    reprice_gap = np.abs(repriced - stored) / np.maximum(1.0, np.abs(stored))
    labels = (pairs["underlying"] + " " + pairs["expiry"].astype(str) + " K=" + pairs["strike"].astype(str)).to_numpy()
    return CheckOutcome(
        passed=bool(parity_gap.max() <= MODEL_TOLERANCE and reprice_gap.max() <= REPRICE_TOLERANCE),
        metadata={
            "pairs_checked": len(pairs),
            "rows_repriced": len(ok_rows),
            "max_parity_gap": float(parity_gap.max()),
            "max_reprice_gap": float(reprice_gap.max()),
            "worst_pairs": _worst(labels, parity_gap - MODEL_TOLERANCE),
        },
    )


def greeks_bounds(conn: psycopg.Connection) -> CheckOutcome:
    checked, calls, puts, gamma, vega = conn.execute(
        f"""
        with rows as ({LATEST} where c.iv_status = 'OK')
        select count(*),
               count(*) filter (where option_type = 'C' and (delta < -%(s)s
                                or delta > exp(-dividend_yield * time_to_expiry) + %(s)s)),
               count(*) filter (where option_type = 'P' and (delta > %(s)s
                                or delta < -exp(-dividend_yield * time_to_expiry) - %(s)s)),
               count(*) filter (where gamma < -%(s)s),
               count(*) filter (where vega < -%(s)s)
        from rows
        """,
        {"s": BOUND_SLACK},
    ).fetchone()
    return CheckOutcome(
        passed=bool(checked) and calls + puts + gamma + vega == 0,
        metadata={"rows_checked": checked, "call_delta_out_of_bounds": calls, "put_delta_out_of_bounds": puts,
                  "negative_gamma": gamma, "negative_vega": vega},
    )


def quote_parity(conn: psycopg.Connection) -> CheckOutcome:
    pairs = read_frame(conn, QUOTE_PAIRS)
    if pairs.empty:
        return CheckOutcome(True, {"pairs_checked": 0})
    s, k = pairs["underlying_price"].to_numpy(float), pairs["strike"].to_numpy(float)
    t, r, q = (pairs[c].to_numpy(float) for c in ("time_to_expiry", "risk_free_rate", "dividend_yield"))
    diff = pairs["call_price"].to_numpy(float) - pairs["put_price"].to_numpy(float)
    half_spreads = pairs["call_half_spread"].to_numpy(float) + pairs["put_half_spread"].to_numpy(float)
    tol = half_spreads + pairs["market"].map(TICKS).to_numpy(float)
    s_q, k_r = s * np.exp(-q * t), k * np.exp(-r * t)
    american = (pairs["market"] == "us").to_numpy()
    lower = np.where(american, s_q - k, s_q - k_r)
    upper = np.where(american, s - k_r, s_q - k_r)
    excess = np.maximum(lower - diff, diff - upper) - tol  # > 0 outside the band
    violating = pairs[excess > 0]
    share = len(violating) / len(pairs)
    labels = (pairs["underlying"] + " " + pairs["expiry"].astype(str) + " K=" + pairs["strike"].astype(str)).to_numpy()
    return CheckOutcome(
        passed=share <= MAX_QUOTE_PARITY_VIOLATION_SHARE,
        metadata={
            "pairs_checked": len(pairs),
            "pairs_violating": len(violating),
            "violation_share": share,
            "by_underlying": Json({u: int(n) for u, n in violating["underlying"].value_counts().items()}),
            "worst": _worst(labels, excess),
        },
    )
