"""Every portfolio analytic for 1,000 portfolios x 50 positions x 252 sessions, vectorised, against
empyrical-reloaded's per-portfolio loop (Sharpe, Sortino, max drawdown, beta) in the same run.

Positions are drawn from a universe of 1,000 synthetic tickers (a position's beta, volatility, HAR and
factor exposures are its underlying's, computed once per ticker, as the pipeline does); portfolios mix
longs and shorts. Prints the wall time per analytic, the total (target < 60 s) and, for the four ratios
empyrical computes, its loop time, the speed ratio and the largest absolute difference.

    .venv/bin/python benchmarks/bench_portfolio.py
"""

from __future__ import annotations

import time

import numpy as np

from valuation_platform.analytics.portfolio import concentration as conc
from valuation_platform.analytics.portfolio import performance as perf
from valuation_platform.analytics.portfolio import stress
from valuation_platform.analytics.portfolio.factors import factor_exposures, factor_returns
from valuation_platform.analytics.portfolio.health import components, health
from valuation_platform.analytics.portfolio.regression import regress
from valuation_platform.analytics.portfolio.risk import risk_table
from valuation_platform.analytics.portfolio.volatility import har_forecast, realized_vol

P, N, T, U = 1_000, 50, 252, 1_000
HISTORY = 280


def main() -> None:
    rng = np.random.default_rng(1)
    market = rng.normal(0.0003, 0.009, HISTORY)
    etfs = {e: l * market + rng.normal(0, s, HISTORY) for e, l, s in
            (("SPY", 1, 0.0005), ("IWM", 1.15, 0.004), ("VLUE", 0.9, 0.003), ("MTUM", 1.05, 0.003),
             ("QUAL", 0.95, 0.002), ("USMV", 0.7, 0.002))}
    universe = rng.uniform(0.5, 1.6, (U, 1)) * market + rng.normal(0, 0.015, (U, HISTORY))
    rates = np.cumsum(rng.normal(0, 0.05, HISTORY))
    held = np.stack([rng.choice(U, N, replace=False) for _ in range(P)])
    exposure = rng.lognormal(0, 0.6, (P, N)) * np.where(rng.random((P, N)) < 0.25, -1, 1)
    weights = exposure / np.abs(exposure).sum(axis=1, keepdims=True) * 1.3
    w_universe = np.zeros((P, U))
    np.add.at(w_universe, (np.repeat(np.arange(P), N), held.ravel()), weights.ravel())

    timings: dict[str, float] = {}

    def timed(name, fn):
        t0 = time.perf_counter()
        out = fn()
        timings[name] = time.perf_counter() - t0
        return out

    start = time.perf_counter()
    port = timed("back-cast returns", lambda: w_universe @ universe)[:, -T:]
    timed("betas (60/252, rate)", lambda: [regress(universe[:, -w:], market[-w:]) for w in (60, 252)]
          + [regress(universe[:, -T:], np.diff(rates)[-T:])] + [regress(port[:, -w:], market[-w:]) for w in (60, 252)])
    x = factor_returns({k: v[-T:] for k, v in etfs.items()})
    timed("ridge factor exposures", lambda: (factor_exposures(universe[:, -T:], x), factor_exposures(port, x)))
    vols = timed("realized vol + HAR 1/5/21", lambda: (realized_vol(universe, 21), realized_vol(port, 63),
                                                       har_forecast(universe[:, -T:]), har_forecast(port)))
    corr = timed("correlation matrix (90d)", lambda: conc.correlation_matrix(universe[:, -90:]))
    div = timed("concentration + diversification", lambda: (
        conc.concentration(exposure), conc.diversification(conc.gross_shares(exposure),
                                                           corr[held[:, :, None], held[:, None, :]])))
    timed("VaR/CVaR table", lambda: risk_table(port))
    ours = timed("performance ratios", lambda: (perf.sharpe_ratio(port), perf.sortino_ratio(port), perf.max_drawdown(port),
                                                perf.alpha_beta(port, market[-T:])[1], perf.calmar_ratio(port),
                                                perf.win_rate(port)))
    betas = regress(universe[:, -T:], market[-T:]).coef[:, 0]
    timed("stress tests", lambda: (stress.replay(w_universe, rng.normal(-0.2, 0.1, U)),
                                   stress.market_shock(w_universe, betas), stress.rate_shock(w_universe, betas * 0)))
    timed("health score", lambda: health(components(np.ones(P), vols[1], div[0]["effective_positions"], div[1][1])))
    total = time.perf_counter() - start

    import empyrical

    t0 = time.perf_counter()
    peer = np.array([[empyrical.sharpe_ratio(r), empyrical.sortino_ratio(r), empyrical.max_drawdown(r),
                      empyrical.beta(r, market[-T:])] for r in port])
    peer_time = time.perf_counter() - t0
    mine = np.column_stack(ours[:4])
    ours_ratio_time = timings["performance ratios"]

    print(f"{P:,} portfolios x {N} positions x {T} sessions ({U:,} underlyings)")
    for name, secs in timings.items():
        print(f"  {name:34s} {secs:7.3f} s")
    print(f"every analytic: {total:.2f} s (target < 60 s)")
    print(f"Sharpe/Sortino/max drawdown/beta: ours {ours_ratio_time:.3f} s (with Calmar, win rate, alpha), "
          f"empyrical-reloaded loop {peer_time:.3f} s, ratio {peer_time / ours_ratio_time:.0f}x, "
          f"max abs difference {np.max(np.abs(mine - peer)):.2e}")


if __name__ == "__main__":
    main()
