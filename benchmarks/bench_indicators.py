"""Technical indicators for a whole market: our vectorised implementation vs TA-Lib, same arrays, same run.

    /work/main/.venv/bin/python benchmarks/bench_indicators.py [--tickers 4600] [--days 260] [--repeat 3]

Data: the market generator's price paths (``simulate_market`` over ``us_companies(tickers)`` and the
last ``days`` NYSE sessions before 2025), one halted ticker included, so ticker lengths are ragged.
Every run computes all 16 output columns (RSI14, MACD 12/26/9 line/signal/hist, SMA50, SMA200,
EMA12, EMA26, Bollinger 20/2 upper/middle/lower, volume SMA20, 1/3/6/12-month returns):

* ours, long frame: ``compute_indicators`` on a polars frame sorted by ticker, trade_date (packing
  the tickers into a matrix and scattering the results back included);
* ours, matrix kernel: ``indicator_arrays`` on the (tickers x days) close and volume matrices of the
  tickers with a full history;
* TA-Lib: a Python loop over tickers calling RSI, MACD, SMA x3, EMA x2, BBANDS, ROCP x4 on each
  ticker's ready-made float64 arrays (splitting the frame is not timed).

Prints the best of ``--repeat`` wall times, the ratio, and the largest relative difference to TA-Lib
per column after warm-up (a correctness check on the benchmark's own data). Single-threaded: BLAS /
OpenMP pools are pinned to one thread before numpy loads. Asserts nothing.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "POLARS_MAX_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import itertools
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from valuation_platform.analytics.market.indicators import (
    INDICATOR_COLUMNS,
    RETURN_HORIZONS,
    compute_indicators,
    indicator_arrays,
)
from valuation_platform.generator.market import simulate_market
from valuation_platform.generator.universe import us_companies
from valuation_platform.sources.market_calendar import us_trading_days


def market_frame(n_tickers: int, n_days: int) -> pl.DataFrame:
    end = date(2024, 12, 31)
    days = us_trading_days(end - timedelta(days=int(n_days * 1.6) + 30), end)[-n_days:]
    paths = simulate_market(us_companies(n_tickers), days)
    traded = paths.traded
    rows, cols = np.nonzero(traded)  # row-major: grouped by ticker, dates ascending
    return pl.DataFrame(
        {
            "ticker": np.asarray(paths.tickers, dtype=object)[rows],
            "trade_date": np.asarray(days, dtype="datetime64[D]")[cols],
            "close": paths.close[rows, cols],
            "volume": paths.volume[rows, cols],
        },
        schema={"ticker": pl.Utf8, "trade_date": pl.Date, "close": pl.Float64, "volume": pl.Float64},
    )


def talib_all(talib, close: np.ndarray, volume: np.ndarray) -> dict[str, np.ndarray]:
    line, signal, hist = talib.MACD(close, 12, 26, 9)
    upper, middle, lower = talib.BBANDS(close, 20, 2.0, 2.0, 0)
    out = {
        "rsi_14": talib.RSI(close, 14),
        "macd": line,
        "macd_signal": signal,
        "macd_hist": hist,
        "sma_50": talib.SMA(close, 50),
        "sma_200": talib.SMA(close, 200),
        "ema_12": talib.EMA(close, 12),
        "ema_26": talib.EMA(close, 26),
        "bb_upper": upper,
        "bb_middle": middle,
        "bb_lower": lower,
        "volume_sma_20": talib.SMA(volume, 20),
    }
    for name, horizon in RETURN_HORIZONS.items():
        out[name] = talib.ROCP(close, horizon)
    return out


def best_of(repeat: int, fn: Callable[[], object]) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickers", type=int, default=4600)
    parser.add_argument("--days", type=int, default=260)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    try:
        import talib
    except ImportError:
        sys.exit("TA-Lib is not installed (pip install ta-lib): nothing to compare against")

    started = time.perf_counter()
    frame = market_frame(args.tickers, args.days)
    print(
        f"data: {args.tickers:,} tickers x {args.days} sessions = {frame.height:,} rows "
        f"(generated in {time.perf_counter() - started:.1f}s); TA-Lib {talib.__version__}"
    )

    sizes = frame.group_by("ticker", maintain_order=True).len()["len"].to_list()
    offsets = np.cumsum([0, *sizes])
    close_all, volume_all = frame["close"].to_numpy(), frame["volume"].to_numpy()
    per_ticker = [
        (np.ascontiguousarray(close_all[a:b]), np.ascontiguousarray(volume_all[a:b]))
        for a, b in itertools.pairwise(offsets)
    ]
    full = [i for i, n in enumerate(sizes) if n == args.days]
    close_m = np.vstack([per_ticker[i][0] for i in full])
    volume_m = np.vstack([per_ticker[i][1] for i in full])

    t_frame, ours = best_of(args.repeat, lambda: compute_indicators(frame))
    t_matrix, _ = best_of(args.repeat, lambda: indicator_arrays(close_m, volume_m))
    t_talib, theirs = best_of(args.repeat, lambda: [talib_all(talib, c, v) for c, v in per_ticker])

    n_values = frame.height * len(INDICATOR_COLUMNS)
    print(f"{'implementation':<44}{'best s':>9}{'M values/s':>12}")
    print(
        f"{'ours, long polars frame (compute_indicators)':<44}{t_frame:>9.3f}{n_values / t_frame / 1e6:>12.1f}"
    )
    print(
        f"{'ours, matrix kernel (' + str(len(full)) + ' full tickers)':<44}{t_matrix:>9.3f}"
        f"{len(full) * args.days * len(INDICATOR_COLUMNS) / t_matrix / 1e6:>12.1f}"
    )
    print(f"{'TA-Lib, loop over tickers':<44}{t_talib:>9.3f}{n_values / t_talib / 1e6:>12.1f}")
    print(f"ratio TA-Lib / ours (frame):  {t_talib / t_frame:.2f}x")
    print(
        f"ratio TA-Lib / ours (matrix): {t_talib * len(full) / len(sizes) / t_matrix:.2f}x (TA-Lib time scaled "
        f"to the same {len(full)} tickers)"
    )

    print(
        "agreement with TA-Lib where both have a value, all tickers: max |diff| / column scale, max relative"
    )
    print(
        "diff where |TA-Lib| > 1e-6 x scale, and NaN-pattern mismatches (our macd line starts 8 bars earlier):"
    )
    for name in INDICATOR_COLUMNS:
        ours_all = ours[name].cast(pl.Float64).fill_null(np.nan).to_numpy()
        ref = np.concatenate([t[name] for t in theirs])
        has = ~np.isnan(ref)
        scale = np.nanmax(np.abs(ref))
        mismatched = int(np.isnan(ours_all[has]).sum()) + (
            0 if name == "macd" else int((~np.isnan(ours_all[~has])).sum())
        )
        diff = np.abs(ours_all[has] - ref[has])
        big = np.abs(ref[has]) > 1e-6 * scale
        rel = (diff[big] / np.abs(ref[has][big])).max()
        print(
            f"  {name:<14} abs/scale {diff.max() / scale:.1e}   relative {rel:.1e}   NaN mismatches {mismatched}"
        )


if __name__ == "__main__":
    main()
