"""Option analytics throughput: vectorised BSM prices + Greeks and implied vol vs py_vollib.

    /work/main/.venv/bin/python benchmarks/bench_options.py [--n 1000000] [--sample 10000]

Single core: thread pools are pinned to one thread before numpy loads (numpy's ufuncs and scipy's
``ndtr`` are single-threaded anyway). Prints contracts/second for:

* ours: prices + all Greeks, price only, and implied vol on ``--n`` random contracts;
* py_vollib (``py_vollib.black_scholes_merton``, per-option Python loop) on a ``--sample`` subset:
  price + the five analytical Greeks, and implied vol;
* py_vollib_vectorized on the same sample, when it is installed and works.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from valuation_platform.analytics.options.bsm import bsm_greeks, bsm_price  # noqa: E402
from valuation_platform.analytics.options.implied_vol import implied_volatility  # noqa: E402

R, Q = 0.05, 0.01


def contracts(n: int, seed: int = 42) -> dict[str, np.ndarray]:
    """A chain-like mix: strikes lognormal around spot, 1 day to 2 years, 10-80 % vol, calls and puts."""
    rng = np.random.default_rng(seed)
    return {
        "S": np.full(n, 100.0),
        "K": 100.0 * np.exp(rng.normal(0.0, 0.2, n)),
        "T": rng.uniform(1 / 365, 2.0, n),
        "sigma": rng.uniform(0.10, 0.80, n),
        "kind": np.where(rng.random(n) < 0.5, "C", "P"),
    }


def best_of(repeats: int, fn):
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:>14,.0f} /s   ({seconds:8.3f} s for {n:,})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=10_000)
    args = parser.parse_args()
    c = contracts(args.n)
    S, K, T, sigma, kind = c["S"], c["K"], c["T"], c["sigma"], c["kind"]
    print(f"numpy {np.__version__}; {args.n:,} contracts; py_vollib sample {args.sample:,}; single core\n")

    t_greeks, greeks = best_of(3, lambda: bsm_greeks(S, K, T, R, sigma, Q, kind))
    t_price, prices = best_of(3, lambda: bsm_price(S, K, T, R, sigma, Q, kind))
    t_iv, (iv, status) = best_of(2, lambda: implied_volatility(prices, S, K, T, R, Q, kind))
    ok = status == "OK"
    identifiable = greeks.vega * 100 > 1e-6 * S
    err = np.abs(iv[identifiable & ok] - sigma[identifiable & ok])
    print("ours (numpy, vectorised)")
    print(f"  prices + delta/gamma/theta/vega/rho {rate(args.n, t_greeks)}")
    print(f"  prices only                         {rate(args.n, t_price)}")
    print(f"  implied vol                         {rate(args.n, t_iv)}")
    print(f"  IV statuses: {dict(Counter(status.tolist()))}")
    repriced = bsm_price(S[ok], K[ok], T[ok], R, iv[ok], Q, kind[ok])
    print(
        f"  IV round-trip max |iv - sigma| (vega > 1e-6 S): {err.max():.2e}; "
        f"max repricing error: {np.abs(repriced - prices[ok]).max():.2e}\n"
    )

    m = args.sample
    flags = np.where(kind[:m] == "C", "c", "p")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            from py_vollib.black_scholes_merton import black_scholes_merton
            from py_vollib.black_scholes_merton.greeks import analytical as g
            from py_vollib.black_scholes_merton.implied_volatility import implied_volatility as vollib_iv
    except ImportError as exc:
        print(f"py_vollib unavailable: {exc}")
        return

    def vollib_greeks():
        out = np.empty((m, 6))
        for i in range(m):
            a = (flags[i], S[i], K[i], T[i], R, sigma[i], Q)
            out[i] = (black_scholes_merton(*a), g.delta(*a), g.gamma(*a), g.theta(*a), g.vega(*a), g.rho(*a))
        return out

    def vollib_ivs():
        out = np.empty(m)
        for i in range(m):
            try:
                out[i] = vollib_iv(prices[i], S[i], K[i], T[i], R, Q, flags[i])
            except Exception:  # py_vollib raises on below-intrinsic/above-maximum prices
                out[i] = np.nan
        return out

    t_vg, ref = best_of(1, vollib_greeks)
    t_viv, ref_iv = best_of(1, vollib_ivs)
    ours_sample = np.column_stack(
        [
            greeks.price[:m],
            greeks.delta[:m],
            greeks.gamma[:m],
            greeks.theta_per_day[:m],
            greeks.vega[:m],
            greeks.rho[:m],
        ]
    )
    both = ok[:m] & np.isfinite(ref_iv) & identifiable[:m]  # where the price pins the vol down at all
    print("py_vollib (per-option Python loop)")
    print(f"  prices + 5 Greeks                   {rate(m, t_vg)}")
    print(f"  implied vol                         {rate(m, t_viv)}")
    print(
        f"  max |ours - py_vollib| prices/Greeks: {np.abs(ours_sample - ref).max():.2e}; "
        f"IV (vega > 1e-6 S): {np.nanmax(np.abs(iv[:m][both] - ref_iv[both])):.2e}"
    )
    print(
        f"  speed-up ours/py_vollib: prices+Greeks x{(args.n / t_greeks) / (m / t_vg):,.0f}, "
        f"IV x{(args.n / t_iv) / (m / t_viv):,.0f}\n"
    )

    # Imported last: py_vollib_vectorized monkey-patches py_vollib's functions on import.
    print("py_vollib_vectorized")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import py_vollib_vectorized as pvv

            args_v = (flags, S[:m], K[:m], T[:m], np.full(m, R), sigma[:m], np.full(m, Q))
            pvv.vectorized_black_scholes_merton(*args_v, return_as="numpy")  # JIT warm-up
            t_pv, _ = best_of(
                3,
                lambda: (
                    pvv.vectorized_black_scholes_merton(*args_v, return_as="numpy"),
                    pvv.get_all_greeks(
                        flags,
                        S[:m],
                        K[:m],
                        T[:m],
                        R,
                        sigma[:m],
                        Q,
                        model="black_scholes_merton",
                        return_as="dict",
                    ),
                ),
            )
            t_piv, _ = best_of(
                3,
                lambda: pvv.vectorized_implied_volatility(
                    prices[:m],
                    S[:m],
                    K[:m],
                    T[:m],
                    R,
                    flags,
                    q=Q,
                    model="black_scholes_merton",
                    return_as="numpy",
                ),
            )
        print(f"  prices + Greeks                     {rate(m, t_pv)}")
        print(f"  implied vol                         {rate(m, t_piv)}")
    except ImportError:
        print("  unavailable: not installed (pip install py_vollib_vectorized)")
    except Exception as exc:  # noqa: BLE001 - report whatever stops it, the benchmark goes on
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        print(f"  unavailable: installed but failed at call time ({type(exc).__name__}: {first[:160]})")


if __name__ == "__main__":
    main()
