"""The valuation compute at the old system's scale: 2,900 companies x 3 scenarios (FCFF and excess return)
plus the attribution against a previous valuation, vectorised (analytics.valuation), against a per-company
Python loop of the same equations (the old system's shape, the peer figure) in the same run.
Target: < 5 s for the compute. The whole daily asset (read, compute, write) is not timed here.

    nice .venv/bin/python benchmarks/bench_valuation.py [--companies 2900]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from valuation_platform.analytics.valuation.attribution import attribute
from valuation_platform.analytics.valuation.company import FACTORS, FORECAST_YEARS, run_model
from valuation_platform.analytics.valuation.models import EXCESS_RETURN, FCFF


def inputs(n: int, rng: np.random.Generator) -> tuple[dict, dict]:
    common = {"risk_free": np.full(n, 0.07), "beta": rng.uniform(0.6, 1.5, n), "equity_risk_premium": np.full(n, 0.07),
              "terminal_growth": np.full(n, 0.05), "diluted_shares": rng.uniform(10, 700, n)}
    fcff = {**common, "revenue": rng.uniform(500, 900000, n), "growth_start": rng.uniform(-0.05, 0.25, n),
            "ebit_margin": rng.uniform(0.02, 0.4, n), "reinvestment_rate": rng.uniform(0, 0.8, n),
            "tax_rate": rng.uniform(0.15, 0.3, n), "cost_of_debt": rng.uniform(0.06, 0.12, n),
            "debt_weight": rng.uniform(0, 0.5, n), "cash": rng.uniform(0, 1e4, n), "debt": rng.uniform(0, 1e5, n)}
    er = {**common, "book_value": rng.uniform(1e3, 5e5, n), "roe": rng.uniform(0.05, 0.25, n),
          "payout_ratio": rng.uniform(0.1, 0.5, n)}
    return fcff, er


def loop_fcff(a: dict, i: int, years: int) -> float:
    """One company, the same equations, scalar Python (the peer)."""
    rf, g = a["risk_free"][i], a["terminal_growth"][i]
    ke = rf + a["beta"][i] * a["equity_risk_premium"][i]
    w = a["debt_weight"][i]
    wacc = (1 - w) * ke + w * a["cost_of_debt"][i] * (1 - a["tax_rate"][i])
    revenue, ev, fcff = a["revenue"][i], 0.0, 0.0
    for t in range(1, years + 1):
        f = (t - 1) / (years - 1)
        growth = a["growth_start"][i] + (g - a["growth_start"][i]) * f
        reinvest = a["reinvestment_rate"][i] + (g / 0.15 - a["reinvestment_rate"][i]) * f
        revenue *= 1 + growth
        fcff = revenue * a["ebit_margin"][i] * (1 - a["tax_rate"][i]) * (1 - reinvest)
        ev += fcff / (1 + wacc) ** t
    ev += fcff * (1 + g) / (wacc - g) / (1 + wacc) ** years
    return (ev + a["cash"][i] - a["debt"][i]) / a["diluted_shares"][i]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--companies", type=int, default=2900)
    n = parser.parse_args().companies
    rng = np.random.default_rng(7)
    n_fin = n // 6
    fcff, er = inputs(n - n_fin, rng)
    _, er = inputs(n_fin, rng)
    shifts = {"bull": -0.004, "base": 0.0, "bear": 0.006}
    start = time.perf_counter()
    values = {}
    for scenario, d in shifts.items():
        values[scenario] = (run_model(FCFF, {**fcff, "risk_free": fcff["risk_free"] + d}),
                            run_model(EXCESS_RETURN, {**er, "risk_free": er["risk_free"] + d}))
    new_fcff = {**fcff, "risk_free": fcff["risk_free"] + 0.0025}
    new_er = {**er, "risk_free": er["risk_free"] + 0.0025}
    attribute(lambda a: run_model(FCFF, a)["value_per_share"], fcff, new_fcff, FACTORS[FCFF])
    attribute(lambda a: run_model(EXCESS_RETURN, a)["value_per_share"], er, new_er, FACTORS[EXCESS_RETURN])
    ours = time.perf_counter() - start
    start = time.perf_counter()
    looped = [loop_fcff(fcff, i, FORECAST_YEARS) for i in range(n - n_fin)]
    peer_one = time.perf_counter() - start
    assert np.allclose(looped, values["base"][0]["value_per_share"], rtol=1e-9, equal_nan=True)
    print(f"{n} companies ({n - n_fin} FCFF, {n_fin} excess return) x 3 scenarios + attribution (4 factors): "
          f"{ours:.3f} s vectorised (target < 5 s)")
    print(f"peer, a per-company Python loop of the same FCFF: {peer_one:.3f} s for ONE scenario of the FCFF "
          f"companies alone (x ~9 for the same work)")


if __name__ == "__main__":
    main()
