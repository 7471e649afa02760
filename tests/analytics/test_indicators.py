"""Indicators against TA-Lib (same arrays, same run) and the ChartSchool worked tables."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import polars as pl
import pytest

from valuation_platform.analytics.market import indicators as ind

talib = pytest.importorskip("talib")

RTOL = 1e-6


def _walk(n: int, seed: int, start: float = 50.0, vol: float = 0.02) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return start * np.exp(np.cumsum(rng.normal(0.0003, vol, n)))


def _split_and_gap_series() -> np.ndarray:
    """A walk with a 4:1 split (unadjusted), a 25 % overnight gap down and a flat halt stretch."""
    x = _walk(400, seed=11, start=180.0)
    x[150:] /= 4.0  # split day: the raw price quarters
    x[260:] *= 0.75  # gap down
    x[300:320] = x[299]  # halted: 20 identical closes
    return x


def _assert_matches(ours: np.ndarray, theirs: np.ndarray, name: str) -> None:
    """Same warm-up (NaN positions) and values within 1e-6 relative (scale-aware near zero)."""
    ours_nan, theirs_nan = np.isnan(ours), np.isnan(theirs)
    assert (ours_nan == theirs_nan).all(), (
        f"{name}: first value at {np.argmax(~ours_nan)} vs TA-Lib {np.argmax(~theirs_nan)}"
    )
    assert (~ours_nan).any(), f"{name}: nothing to compare"
    scale = np.nanmax(np.abs(theirs))
    np.testing.assert_allclose(
        ours[~ours_nan], theirs[~theirs_nan], rtol=RTOL, atol=1e-12 * scale, err_msg=name
    )


SERIES = {
    "walk_300": lambda: _walk(300, seed=1),
    "walk_long_volatile": lambda: _walk(3000, seed=2, start=5.0, vol=0.04),
    "walk_260_high_price": lambda: _walk(260, seed=3, start=4000.0, vol=0.01),
    "split_gap_halt": _split_and_gap_series,
}


@pytest.fixture(params=sorted(SERIES))
def close(request) -> np.ndarray:
    return SERIES[request.param]()


def test_sma_ema_match_talib(close):
    for n in (20, 50, 200):
        _assert_matches(ind.sma(close, n), talib.SMA(close, n), f"sma{n}")
    for n in (12, 26):
        _assert_matches(ind.ema(close, n), talib.EMA(close, n), f"ema{n}")


def test_rsi_matches_talib(close):
    _assert_matches(ind.rsi(close, 14), talib.RSI(close, 14), "rsi14")
    _assert_matches(ind.rsi(close, 5), talib.RSI(close, 5), "rsi5")


def test_macd_matches_talib_after_its_warmup(close):
    line, signal, hist = ind.macd(close)
    t_line, t_signal, t_hist = talib.MACD(close, 12, 26, 9)
    _assert_matches(signal, t_signal, "macd_signal")
    _assert_matches(hist, t_hist, "macd_hist")
    # TA-Lib emits its line from bar 33; ours is already defined from bar 25.
    assert np.isnan(line[:25]).all() and not np.isnan(line[25:]).any()
    _assert_matches(line[33:], t_line[33:], "macd_line")


def test_macd_line_before_talib_emits_it_is_talibs_internal_line():
    close = _walk(120, seed=5)
    line, _, _ = ind.macd(close)
    # TA-Lib seeds the fast EMA with the SMA of closes 14..25 so it starts at bar 25 like the slow one.
    fast = np.mean(close[14:26])
    slow = np.mean(close[:26])
    assert line[25] == pytest.approx(fast - slow, rel=1e-12)
    k = 2 / 13
    fast = fast + k * (close[26] - fast)
    slow = slow + 2 / 27 * (close[26] - slow)
    assert line[26] == pytest.approx(fast - slow, rel=1e-12)


def test_macd_is_not_ema12_minus_ema26_early_but_converges():
    close = _walk(400, seed=6)
    line, _, _ = ind.macd(close)
    gap = np.abs(line - (ind.ema(close, 12) - ind.ema(close, 26)))
    assert gap[25] > 1e-4 * close[25]  # different fast-EMA seeds
    assert gap[-1] < 1e-9 * close[-1]  # (11/13)^375: gone


def test_bollinger_matches_talib_population_std(close):
    upper, middle, lower = ind.bollinger(close, 20, 2.0)
    t_upper, t_middle, t_lower = talib.BBANDS(close, 20, 2.0, 2.0, 0)
    _assert_matches(upper, t_upper, "bb_upper")
    _assert_matches(middle, t_middle, "bb_middle")
    _assert_matches(lower, t_lower, "bb_lower")


def test_bollinger_width_is_population_not_sample_std():
    close = _walk(60, seed=7)
    upper, middle, _ = ind.bollinger(close)
    assert (upper - middle)[-1] / 2 == pytest.approx(np.std(close[-20:], ddof=0), rel=1e-10)
    assert (upper - middle)[-1] / 2 != pytest.approx(np.std(close[-20:], ddof=1), rel=1e-6)


def test_returns_match_talib_rocp(close):
    for column, horizon in ind.RETURN_HORIZONS.items():
        if len(close) > horizon:
            _assert_matches(ind.rate_of_change(close, horizon), talib.ROCP(close, horizon), column)


def test_unstable_period_reproduces_talib_setting():
    close = _walk(300, seed=8)
    try:
        talib.set_unstable_period("EMA", 10)
        talib.set_unstable_period("RSI", 7)
        _assert_matches(ind.ema(close, 12, unstable=10), talib.EMA(close, 12), "ema unstable")
        _assert_matches(ind.rsi(close, 14, unstable=7), talib.RSI(close, 14), "rsi unstable")
        _, signal, hist = ind.macd(close, unstable=10)
        _, t_signal, t_hist = talib.MACD(close, 12, 26, 9)
        _assert_matches(signal, t_signal, "macd signal unstable")  # seeded 10 bars later, starts at 53
        _assert_matches(hist, t_hist, "macd hist unstable")
    finally:
        talib.set_unstable_period("EMA", 0)
        talib.set_unstable_period("RSI", 0)


def test_flat_series_rsi_is_talibs_zero_and_bands_collapse():
    close = np.full(40, 12.5)
    np.testing.assert_array_equal(ind.rsi(close)[14:], talib.RSI(close, 14)[14:])
    assert (ind.rsi(close)[14:] == 0).all()
    upper, middle, lower = ind.bollinger(close)
    assert upper[-1] == middle[-1] == lower[-1] == 12.5


def test_warmup_is_nan_and_short_series_are_all_nan():
    close = _walk(30, seed=9)
    out = ind.indicator_arrays(close, np.full(30, 1e6))
    for name, first in ind.WARMUP.items():
        values = out[name]
        assert np.isnan(values[: min(first, 30)]).all(), name
        assert (not np.isnan(values[first:]).any()) if first < 30 else np.isnan(values).all(), name


def test_nonfinite_input_is_refused():
    close = _walk(50, seed=10)
    close[20] = np.nan
    with pytest.raises(ValueError, match="index \\(20,\\)"):
        ind.sma(close, 5)


def test_two_d_rows_equal_one_d_calls():
    rows = np.vstack([_walk(250, seed=s) for s in range(4)])
    rsi_2d = ind.rsi(rows)
    for i in range(4):
        np.testing.assert_array_equal(rsi_2d[i], ind.rsi(rows[i]))


# -- the long frame helper ------------------------------------------------------------------------
def _long_frame(lengths: dict[str, int]) -> pl.DataFrame:
    parts = []
    for k, (ticker, n) in enumerate(lengths.items()):
        days = [date(2023, 1, 2) + timedelta(days=d) for d in range(n)]
        rng = np.random.default_rng(100 + k)
        parts.append(
            pl.DataFrame(
                {
                    "ticker": [ticker] * n,
                    "trade_date": days,
                    "close": _walk(n, seed=100 + k),
                    "volume": rng.lognormal(13, 0.4, n),
                }
            )
        )
    return pl.concat(parts)


def test_frame_helper_matches_talib_per_ticker_with_ragged_lengths():
    lengths = {"AAA": 260, "BBB": 90, "CCC": 30, "DDD": 300}
    frame = _long_frame(lengths)
    out = ind.compute_indicators(frame)
    assert out.columns == frame.columns + list(ind.INDICATOR_COLUMNS)
    assert out.height == frame.height
    for ticker in lengths:
        part = out.filter(pl.col("ticker") == ticker)
        close = part["close"].to_numpy()
        volume = part["volume"].to_numpy()
        # polars output: nulls in the warm-up (they read back as NaN from to_numpy)
        got = {name: part[name].cast(pl.Float64).to_numpy() for name in ind.INDICATOR_COLUMNS}
        assert part["rsi_14"].null_count() == min(14, len(close))
        _assert_or_all_nan(got["rsi_14"], talib.RSI(close, 14), "rsi_14")
        _assert_or_all_nan(got["sma_50"], talib.SMA(close, 50), "sma_50")
        _assert_or_all_nan(got["sma_200"], talib.SMA(close, 200), "sma_200")
        _assert_or_all_nan(got["ema_26"], talib.EMA(close, 26), "ema_26")
        _assert_or_all_nan(got["macd_signal"], talib.MACD(close, 12, 26, 9)[1], "macd_signal")
        _assert_or_all_nan(got["bb_lower"], talib.BBANDS(close, 20, 2.0, 2.0, 0)[2], "bb_lower")
        _assert_or_all_nan(got["volume_sma_20"], talib.SMA(volume, 20), "volume_sma_20")
        _assert_or_all_nan(got["return_3m"], talib.ROCP(close, 63), "return_3m")
        _assert_or_all_nan(got["return_12m"], talib.ROCP(close, 252), "return_12m")


def _assert_or_all_nan(ours: np.ndarray, theirs: np.ndarray, name: str) -> None:
    if np.isnan(theirs).all():
        assert np.isnan(ours).all(), name
    else:
        _assert_matches(ours, theirs, name)


def test_frame_helper_pandas_gives_same_numbers_as_polars():
    frame = _long_frame({"AAA": 120, "BBB": 80})
    pdf = pd.DataFrame({c: frame[c].to_list() for c in frame.columns})
    out_pd = ind.compute_indicators(pdf)
    out_pl = ind.compute_indicators(frame)
    for name in ind.INDICATOR_COLUMNS:
        np.testing.assert_array_equal(out_pd[name].to_numpy(), out_pl[name].cast(pl.Float64).to_numpy())
    assert np.isnan(out_pd["sma_50"].iloc[0])


def test_frame_helper_refuses_unsorted_or_interleaved_input():
    frame = _long_frame({"AAA": 40, "BBB": 40})
    with pytest.raises(ValueError, match="not grouped by ticker"):
        ind.compute_indicators(frame.sort("trade_date"))
    with pytest.raises(ValueError, match="strictly increasing for ticker 'AAA'"):
        ind.compute_indicators(frame.sort("ticker", "trade_date", descending=[False, True]))
    with_null = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 45).then(None).otherwise(pl.col("close")).alias("close")
    )
    with pytest.raises(ValueError, match="close is missing or not finite for ticker 'BBB' at row 45"):
        ind.compute_indicators(with_null)


# -- ChartSchool worked tables (bukosabino/ta test data) --------------------------------------------
def test_chartschool_bollinger_table(shared_fixtures):
    table = pd.read_csv(shared_fixtures / "indicators" / "cs-bbands.csv")
    upper, middle, lower = ind.bollinger(table["Close"].to_numpy(), 20, 2.0)
    has = table["MiddleBand"].notna().to_numpy()
    assert (has == ~np.isnan(middle)).all()  # same 19-bar warm-up
    # The table prints 6 decimals: agreement to its rounding.
    np.testing.assert_allclose(middle[has], table["MiddleBand"][has], atol=1e-6)
    np.testing.assert_allclose((upper - middle)[has] / 2, table["20-day Standard Deviation"][has], atol=1e-6)
    np.testing.assert_allclose(upper[has], table["HighBand"][has], atol=2e-6)
    np.testing.assert_allclose(lower[has], table["LowBand"][has], atol=2e-6)


def test_chartschool_macd_table(shared_fixtures):
    """The table's EMAs are seeded with the first close (pandas ewm(adjust=False)), not an SMA.

    Comparable: our EMA recursion with ``seed='first'`` (exact), and our TA-Lib-seeded MACD once the
    seed has decayed. Its signal column starts from an undocumented seed on bar 2, so only the
    late signal is compared, loosely.
    """
    table = pd.read_csv(shared_fixtures / "indicators" / "cs-macd.csv")
    close = table["Close"].to_numpy()
    np.testing.assert_allclose(ind.ema(close, 12, seed="first"), table["short_ema"], rtol=1e-9)
    np.testing.assert_allclose(ind.ema(close, 26, seed="first"), table["long_ema"], rtol=1e-9)
    line_first_seed = ind.ema(close, 12, seed="first") - ind.ema(close, 26, seed="first")
    np.testing.assert_allclose(line_first_seed[1:], table["MACD_line"][1:], atol=1e-8)
    line, signal, _ = ind.macd(close)
    # the seed difference decays geometrically: after ~100 bars it is below 1e-3 in price units
    np.testing.assert_allclose(line[-10:], table["MACD_line"].to_numpy()[-10:], atol=1e-3)
    np.testing.assert_allclose(signal[-10:], table["MACD_signal"].to_numpy()[-10:], atol=2e-3)
    assert np.abs(line[25] - table["MACD_line"][25]) > 0.1  # at the start the seeds differ a lot


def test_chartschool_roc_table(shared_fixtures):
    table = pd.read_csv(shared_fixtures / "indicators" / "cs-roc.csv")
    roc = ind.rate_of_change(table["Close"].to_numpy(), 12) * 100
    has = table["ROC"].notna().to_numpy()
    assert (has == ~np.isnan(roc)).all()
    np.testing.assert_allclose(roc[has], table["ROC"][has], atol=1e-7)
