"""Technical indicators on daily closes and volumes, vectorised, agreeing with TA-Lib after warm-up.

Every function takes a 1-D array (one ticker's series, oldest first) or a 2-D array (one row per
ticker, equal lengths, time along the last axis) and returns float64 arrays of the same shape.
Positions inside the warm-up are NaN, never a guess. Inputs must be finite (a missing bar is a
missing row, not a NaN); a non-finite value raises ``ValueError``.

Conventions (all match TA-Lib 0.6+/0.8 defaults, ``TA_COMPATIBILITY_DEFAULT``, unstable period 0):

=====================  ==========================================================  ==================
output                 definition                                                  first value at
                                                                                   (0-based index)
=====================  ==========================================================  ==================
``sma_n``              mean of the last n values                                   n-1
``ema_n``              k = 2/(n+1), seeded with the SMA of the first n values,     n-1
                       then y[t] = y[t-1] + k (x[t] - y[t-1])
``rsi_14``             Wilder: first average gain/loss = mean of the first 14      14 (15 closes)
                       changes, then avg = (avg (n-1) + change) / n;
                       100 avg_gain / (avg_gain + avg_loss), and 0 when both are
                       exactly 0 (a flat series: TA-Lib's value, though undefined)
``macd``               EMA12 - EMA26 as TA-Lib computes it: the fast EMA is       25
                       seeded at the slow EMA's first bar (SMA of closes 14..25),
                       not at bar 11, so ``macd`` != ``ema_12 - ema_26`` for the
                       first ~100 bars; the gap shrinks by 11/13 a bar
``macd_signal``        9-EMA of ``macd``, seeded with the SMA of its first 9       33
``macd_hist``          ``macd - macd_signal``                                      33
``bb_middle``          SMA(20)                                                     19
``bb_upper/lower``     middle +/- 2 x population standard deviation (ddof=0, as   19
                       TA-Lib and ChartSchool), from short re-centred running sums
``volume_sma_20``      SMA(20) of volume                                           19
``return_1m/3m/6m/12m``  close[t] / close[t-h] - 1 with h = 21/63/126/252 trading  h
                       days (a month is taken as 21 sessions, a year as 252); a
                       fraction (0.05 = +5 %); NaN when close[t-h] is 0
=====================  ==========================================================  ==================

TA-Lib marks EMA, RSI and MACD as "unstable": their early values depend on the seed. By default
(``talib.set_unstable_period(..., 0)``) it still emits them from the bars above, and so do we. The
``unstable`` argument of :func:`ema`, :func:`rsi` and :func:`macd` reproduces a nonzero TA-Lib unstable
period: that many more leading values become NaN (for MACD, TA-Lib then also seeds the signal
EMA u bars later, so the signal starts at 33 + 2u and its values differ; we do the same).
Note TA-Lib's MACD line itself is only emitted from bar 33; ours is emitted from bar 25, where it
is already fully defined, and equals TA-Lib's internal line there.

Seeding matters: pandas ``ewm(adjust=False)`` and the ChartSchool worked tables seed an EMA with the
first close (``ema(..., seed="first")``); the difference to the SMA seed decays geometrically,
by (1-k) a bar: for seeds 5 % apart it falls below 1e-6 relative after about 65 bars (EMA12) and
140 bars (EMA26).

:func:`compute_indicators` applies everything per ticker to a long frame sorted by ticker and
trade date: the tickers are packed into one matrix (each ticker left-aligned, NaN after its last
bar), so each indicator is a handful of whole-matrix numpy operations, not a loop over tickers.
Padding after a ticker's last bar cannot leak into its values because every formula is causal.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd
import polars as pl
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

RSI_PERIOD = 14
MACD_FAST, MACD_SLOW, MACD_SIGNAL = 12, 26, 9
BB_PERIOD, BB_WIDTH = 20, 2.0
VOLUME_SMA_PERIOD = 20
RETURN_HORIZONS: dict[str, int] = {"return_1m": 21, "return_3m": 63, "return_6m": 126, "return_12m": 252}

INDICATOR_COLUMNS: tuple[str, ...] = (
    "rsi_14",
    "macd",
    "macd_signal",
    "macd_hist",
    "sma_50",
    "sma_200",
    "ema_12",
    "ema_26",
    "bb_upper",
    "bb_middle",
    "bb_lower",
    "volume_sma_20",
    *RETURN_HORIZONS,
)
# Index of the first non-NaN value of each column (the warm-up length in bars).
WARMUP: dict[str, int] = {
    "rsi_14": RSI_PERIOD,
    "macd": MACD_SLOW - 1,
    "macd_signal": MACD_SLOW + MACD_SIGNAL - 2,
    "macd_hist": MACD_SLOW + MACD_SIGNAL - 2,
    "sma_50": 49,
    "sma_200": 199,
    "ema_12": MACD_FAST - 1,
    "ema_26": MACD_SLOW - 1,
    "bb_upper": BB_PERIOD - 1,
    "bb_middle": BB_PERIOD - 1,
    "bb_lower": BB_PERIOD - 1,
    "volume_sma_20": VOLUME_SMA_PERIOD - 1,
    **RETURN_HORIZONS,
}


# -- input handling ----------------------------------------------------------------------------
def _as_series(values: ArrayLike, name: str = "values") -> tuple[FloatArray, bool]:
    """A finite float64 2-D view of the input and whether the input was 1-D."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim not in (1, 2):
        raise ValueError(f"{name}: expected a 1-D series or a 2-D (tickers x days) array, got {arr.ndim}-D")
    if not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(f"{name}: non-finite value at index {tuple(int(i) for i in bad)}")
    return (arr[None, :], True) if arr.ndim == 1 else (arr, False)


def _shape_back(out: FloatArray, was_1d: bool) -> FloatArray:
    return out[0] if was_1d else out


def _check_period(n: int, name: str = "period") -> None:
    if int(n) != n or n < 1:
        raise ValueError(f"{name} must be a positive integer, got {n!r}")


# -- matrix kernels (rows = tickers, columns = bars; trailing NaN padding allowed) -------------
def _nan_until(shape: tuple[int, ...], first: int) -> FloatArray:
    """An output array whose warm-up columns ``[:first]`` are NaN (the rest is filled by the caller)."""
    out = np.empty(shape)
    out[:, : min(first, shape[1])] = np.nan
    return out


def _sma2(x: FloatArray, n: int) -> FloatArray:
    out = _nan_until(x.shape, n - 1)
    if x.shape[1] < n:
        return out
    csum = np.cumsum(x, axis=1)
    out[:, n - 1] = csum[:, n - 1]
    np.subtract(csum[:, n:], csum[:, :-n], out=out[:, n:])
    out[:, n - 1 :] /= n
    return out


def lfilter(*args: Any, **kwargs: Any) -> Any:
    """scipy.signal.lfilter, imported on first use: importing scipy.signal takes seconds, and every process
    that loads the code location (each run) would pay it before any indicator is computed."""
    from scipy.signal import lfilter as _lfilter

    return _lfilter(*args, **kwargs)


def _ema_from(x: FloatArray, seed: FloatArray, k: float) -> FloatArray:
    """The recursion y[t] = (1-k) y[t-1] + k x[t] over the columns of ``x``, starting from y[-1] = seed."""
    y, _ = lfilter([k], [1.0, -(1.0 - k)], x, axis=1, zi=((1.0 - k) * seed)[:, None])
    return y


def _ema2(x: FloatArray, n: int, seed: str = "sma", seed_at: int = 0) -> FloatArray:
    """EMA with its seed window starting at column ``seed_at`` (TA-Lib's MACD moves it)."""
    k = 2.0 / (n + 1.0)
    if seed == "first":
        out = np.empty(x.shape)
        out[:, 0] = x[:, 0]
        if x.shape[1] > 1:
            out[:, 1:] = _ema_from(x[:, 1:], x[:, 0], k)
        return out
    first = seed_at + n - 1
    out = _nan_until(x.shape, first)
    if x.shape[1] <= first:
        return out
    start = x[:, seed_at : first + 1].mean(axis=1)
    out[:, first] = start
    if x.shape[1] > first + 1:
        out[:, first + 1 :] = _ema_from(x[:, first + 1 :], start, k)
    return out


def _rsi2(x: FloatArray, n: int) -> FloatArray:
    out = _nan_until(x.shape, n)
    if x.shape[1] <= n:
        return out
    change = np.diff(x, axis=1)  # change[:, i] is bar i+1 minus bar i
    gain = np.maximum(change, 0.0)
    loss = np.maximum(-change, 0.0)
    avg_gain = np.empty((x.shape[0], x.shape[1] - n))
    avg_loss = np.empty_like(avg_gain)
    avg_gain[:, 0] = gain[:, :n].mean(axis=1)
    avg_loss[:, 0] = loss[:, :n].mean(axis=1)
    if x.shape[1] > n + 1:
        a = (n - 1.0) / n  # Wilder smoothing = an EMA with k = 1/n
        for avg, src in ((avg_gain, gain), (avg_loss, loss)):
            avg[:, 1:], _ = lfilter([1.0 / n], [1.0, -a], src[:, n:], axis=1, zi=(a * avg[:, 0])[:, None])
    total = avg_gain + avg_loss
    with np.errstate(invalid="ignore", divide="ignore"):
        rsi_values = 100.0 * avg_gain / total
    rsi_values[total == 0.0] = 0.0  # no movement at all: TA-Lib answers 0, so do we
    out[:, n:] = rsi_values
    return out


def _macd2(
    x: FloatArray, fast: int, slow: int, signal: int, unstable: int = 0
) -> tuple[FloatArray, FloatArray, FloatArray]:
    first = slow - 1 + unstable  # TA-Lib's first internal MACD bar
    line = _nan_until(x.shape, first)
    sig = _nan_until(x.shape, first)
    if x.shape[1] > first:
        slow_e = _ema2(x, slow)
        # TA-Lib starts the fast EMA so that it, too, first exists at bar `slow - 1`.
        fast_e = _ema2(x, fast, seed_at=slow - fast)
        line[:, first:] = fast_e[:, first:] - slow_e[:, first:]
        sig[:, first:] = _ema2(line[:, first:], signal)
    # The signal's own unstable bars come on top (TA-Lib: first signal at slow + signal - 2 + 2u).
    sig[:, : first + signal - 1 + unstable] = np.nan
    return line, sig, line - sig


def _rolling_pstd2(x: FloatArray, n: int, block: int = 32) -> FloatArray:
    """Population (ddof=0) rolling standard deviation, as TA-Lib's BBANDS uses.

    Running sums of y and y^2 are fast but lose precision as they grow and when values sit far
    from their spread (var = E[y^2] - E[y]^2 cancels). So the sums restart every ``block`` bars
    and y is the close minus a nearby close: the error stays near 1e-12 relative whatever the
    series length or price level (a two-pass std per window is exact but ~4x slower).
    """
    width = x.shape[1]
    out = _nan_until(x.shape, n - 1)
    for first in range(n - 1, width, block):
        last = min(first + block, width)
        segment = x[:, first - n + 1 : last]
        y = segment - segment[:, :1]
        sums = []
        for values in (y, y * y):
            c = np.cumsum(values, axis=1)
            window = c[:, n - 1 :].copy()
            window[:, 1:] -= c[:, :-n]
            sums.append(window / n)
        mean, mean_sq = sums
        out[:, first:last] = np.sqrt(np.maximum(mean_sq - mean * mean, 0.0))
    return out


def _roc2(x: FloatArray, n: int) -> FloatArray:
    out = _nan_until(x.shape, n)
    if x.shape[1] <= n:
        return out
    base = x[:, :-n]
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(x[:, n:], base, out=out[:, n:])
    out[:, n:] -= 1.0
    zero = base == 0.0
    if zero.any():  # a zero base price has no return
        out[:, n:][zero] = np.nan
    return out


def _blank_leading(a: FloatArray, count: int) -> FloatArray:
    if count > 0:
        a[:, :count] = np.nan
    return a


# -- public single-indicator functions ---------------------------------------------------------
def sma(values: ArrayLike, n: int) -> FloatArray:
    """Simple moving average; first value at index n-1."""
    _check_period(n)
    x, was_1d = _as_series(values)
    return _shape_back(_sma2(x, n), was_1d)


def ema(values: ArrayLike, n: int, *, seed: Literal["sma", "first"] = "sma", unstable: int = 0) -> FloatArray:
    """Exponential moving average, k = 2/(n+1).

    ``seed="sma"`` (TA-Lib): first value at n-1, equal to the SMA of the first n values.
    ``seed="first"`` (pandas ``ewm(span=n, adjust=False)``, ChartSchool tables): starts at the first
    value, so it has no warm-up, only an early bias. ``unstable`` blanks that many more bars.
    """
    _check_period(n)
    if seed not in ("sma", "first"):
        raise ValueError(f"seed must be 'sma' or 'first', got {seed!r}")
    x, was_1d = _as_series(values)
    out = _ema2(x, n, seed=seed)
    start = 0 if seed == "first" else n - 1
    return _shape_back(_blank_leading(out, start + unstable), was_1d)


def rsi(close: ArrayLike, n: int = RSI_PERIOD, *, unstable: int = 0) -> FloatArray:
    """Wilder's RSI in [0, 100]; first value at index n (it needs n changes)."""
    _check_period(n)
    x, was_1d = _as_series(close, "close")
    return _shape_back(_blank_leading(_rsi2(x, n), n + unstable), was_1d)


def macd(
    close: ArrayLike,
    fast: int = MACD_FAST,
    slow: int = MACD_SLOW,
    signal: int = MACD_SIGNAL,
    *,
    unstable: int = 0,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``(macd line, signal, histogram)`` with TA-Lib's seeding (see the module notes)."""
    for name, value in (("fast", fast), ("slow", slow), ("signal", signal)):
        _check_period(value, name)
    if fast >= slow:
        raise ValueError(f"fast period ({fast}) must be shorter than slow period ({slow})")
    x, was_1d = _as_series(close, "close")
    line, sig, hist = _macd2(x, fast, slow, signal, unstable)
    return _shape_back(line, was_1d), _shape_back(sig, was_1d), _shape_back(hist, was_1d)


def bollinger(
    close: ArrayLike, n: int = BB_PERIOD, width: float = BB_WIDTH
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``(upper, middle, lower)``: SMA(n) +/- width x population std over the same n bars."""
    _check_period(n)
    x, was_1d = _as_series(close, "close")
    middle = _sma2(x, n)
    spread = width * _rolling_pstd2(x, n)
    return (
        _shape_back(middle + spread, was_1d),
        _shape_back(middle, was_1d),
        _shape_back(middle - spread, was_1d),
    )


def rate_of_change(close: ArrayLike, n: int) -> FloatArray:
    """``close[t] / close[t-n] - 1`` (TA-Lib ROCP; ROC is this times 100); first value at n."""
    _check_period(n)
    x, was_1d = _as_series(close, "close")
    return _shape_back(_roc2(x, n), was_1d)


# -- all indicators at once ----------------------------------------------------------------------
def _all_indicators2(close: FloatArray, volume: FloatArray) -> dict[str, FloatArray]:
    line, sig, hist = _macd2(close, MACD_FAST, MACD_SLOW, MACD_SIGNAL)
    middle = _sma2(close, BB_PERIOD)
    spread = BB_WIDTH * _rolling_pstd2(close, BB_PERIOD)
    out = {
        "rsi_14": _rsi2(close, RSI_PERIOD),
        "macd": line,
        "macd_signal": sig,
        "macd_hist": hist,
        "sma_50": _sma2(close, 50),
        "sma_200": _sma2(close, 200),
        "ema_12": _ema2(close, MACD_FAST),
        "ema_26": _ema2(close, MACD_SLOW),
        "bb_upper": middle + spread,
        "bb_middle": middle,
        "bb_lower": middle - spread,
        "volume_sma_20": _sma2(volume, VOLUME_SMA_PERIOD),
    }
    for column, horizon in RETURN_HORIZONS.items():
        out[column] = _roc2(close, horizon)
    return out


def indicator_arrays(close: ArrayLike, volume: ArrayLike) -> dict[str, FloatArray]:
    """Every column of :data:`INDICATOR_COLUMNS` for one ticker (1-D) or equal-length rows (2-D)."""
    c, was_1d = _as_series(close, "close")
    v, _ = _as_series(volume, "volume")
    if c.shape != v.shape:
        raise ValueError(f"close and volume differ in shape: {c.shape} vs {v.shape}")
    return {name: _shape_back(arr, was_1d) for name, arr in _all_indicators2(c, v).items()}


def _require(frame: Any, *names: str) -> None:
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise ValueError(f"frame lacks column(s) {missing} (needs ticker, trade_date, close, volume)")


def _ticker_groups(frame: pl.DataFrame | pd.DataFrame) -> tuple[NDArray[np.int64], int]:
    """Run id of each row's ticker (0, 0, ..., 1, 1, ...) and the number of tickers."""
    if isinstance(frame, pl.DataFrame):
        tickers = frame["ticker"]
        if tickers.null_count():
            raise ValueError("ticker has null values")
        codes = tickers.rle_id().cast(pl.Int64).to_numpy()
        n_groups = tickers.rle().struct.field("value").n_unique()  # distinct run values, cheap
    else:
        codes, uniques = pd.factorize(frame["ticker"].to_numpy())
        if (codes < 0).any():
            raise ValueError("ticker has null values")
        n_groups = len(uniques)
    runs = int(codes.max()) + 1 if len(codes) else 0
    if runs != n_groups or (isinstance(frame, pd.DataFrame) and (np.diff(codes) < 0).any()):
        raise ValueError("frame is not grouped by ticker: sort it by ticker, trade_date first")
    return np.asarray(codes, dtype=np.int64), n_groups


def _day_numbers(frame: pl.DataFrame | pd.DataFrame) -> NDArray[np.int64]:
    dates = frame["trade_date"]
    if isinstance(frame, pl.DataFrame):
        if dates.dtype != pl.Date:
            dates = dates.cast(pl.Date)
        return dates.cast(pl.Int64).to_numpy()
    return np.asarray(pd.to_datetime(dates).to_numpy().astype("datetime64[D]").astype(np.int64))


def _ticker_at(frame: pl.DataFrame | pd.DataFrame, row: int) -> Any:
    return frame["ticker"][row] if isinstance(frame, pl.DataFrame) else frame["ticker"].iloc[row]


def compute_indicators(frame: pl.DataFrame | pd.DataFrame) -> pl.DataFrame | pd.DataFrame:
    """The frame with :data:`INDICATOR_COLUMNS` appended, computed per ticker.

    ``frame`` is long: one row per (ticker, trade_date) with float ``close`` and ``volume``, sorted by
    ticker then trade_date (each ticker one contiguous block, dates strictly increasing; anything
    else raises ``ValueError`` rather than silently mixing tickers). A polars frame comes back with
    nulls in the warm-up, a pandas frame with NaN. Row order and the input columns are unchanged
    (indicator columns already present are replaced).
    """
    if not isinstance(frame, (pl.DataFrame, pd.DataFrame)):
        raise TypeError(f"expected a polars or pandas DataFrame, got {type(frame).__name__}")
    _require(frame, "ticker", "trade_date", "close", "volume")
    n_rows = len(frame)
    codes, n_tickers = _ticker_groups(frame)
    days = _day_numbers(frame)
    same = codes[1:] == codes[:-1]
    backwards = same & (np.diff(days) <= 0)
    if backwards.any():
        i = int(np.flatnonzero(backwards)[0]) + 1
        raise ValueError(f"trade_date not strictly increasing for ticker {_ticker_at(frame, i)!r} at row {i}")
    close = np.asarray(frame["close"].to_numpy(), dtype=np.float64)
    volume = np.asarray(frame["volume"].to_numpy(), dtype=np.float64)
    for name, arr in (("close", close), ("volume", volume)):
        if not np.isfinite(arr).all():
            i = int(np.flatnonzero(~np.isfinite(arr))[0])
            raise ValueError(
                f"{name} is missing or not finite for ticker {_ticker_at(frame, i)!r} at row {i}"
            )

    lengths = np.bincount(codes, minlength=n_tickers)
    width = int(lengths.max()) if n_rows else 0
    if n_rows == n_tickers * width:  # every ticker has the same number of bars: a plain reshape
        matrices = _all_indicators2(close.reshape(n_tickers, width), volume.reshape(n_tickers, width))
        results = {name: m.reshape(-1) for name, m in matrices.items()}
    else:
        # Row-major boolean indexing visits (ticker, bar) in frame order: scatter and gather in one go.
        filled = np.arange(width)[None, :] < lengths[:, None]
        close_m = np.full((n_tickers, width), np.nan)
        volume_m = np.full((n_tickers, width), np.nan)
        close_m[filled] = close
        volume_m[filled] = volume
        results = {name: m[filled] for name, m in _all_indicators2(close_m, volume_m).items()}
    if isinstance(frame, pl.DataFrame):
        added = pl.DataFrame({name: results[name] for name in INDICATOR_COLUMNS}, nan_to_null=True)
        return frame.drop([c for c in INDICATOR_COLUMNS if c in frame.columns]).hstack(added)
    out = frame.copy()
    for name in INDICATOR_COLUMNS:
        out[name] = results[name]
    return out
