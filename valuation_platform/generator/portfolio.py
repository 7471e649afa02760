"""Generated portfolio inputs: three demo portfolios in the landing layout, the benchmark/factor ETFs as
Polygon aggregates, and FRED's DGS10 as fredgraph.csv.

* ``<root>/landing/portfolio/positions/*.csv``: a long-only individual, a high-net-worth mix (stocks, ETFs,
  cash) and a long/short fund with options on the chain underlyings (contracts the options mirror lists),
  in the broker-style layout :mod:`valuation_platform.pipelines.portfolio.landing` reads. The fund's file
  carries one row with an unknown ticker, which the load quarantines (the rest lands).
* ``targets/targets.csv`` and ``tags/tags.csv`` for a few holdings.
* ETFs (SPY, IWM, MTUM, QUAL, VLUE, USMV): SPY follows the generator's market factor (the one every
  generated stock loads on, :func:`~valuation_platform.generator.market.simulate_market` with the same
  seed and sessions); the others add a style factor and small noise. Written per ticker with the market
  module's aggregates writer and appended to its grouped-daily files.
* DGS10: a mean-reverting daily yield around 4 %, '.' on weekdays the bond market is shut (as FRED prints).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from valuation_platform.analytics.portfolio.factors import BENCHMARK_TICKERS
from valuation_platform.generator.market import (
    MARKET_STREAM, MarketPaths, _Mirror, _write_aggs, sample_start, sample_window_start, simulate_market,
)
from valuation_platform.generator.options import DEFAULT_US_TICKERS, synthetic_chain
from valuation_platform.generator.universe import Company
from valuation_platform.pipelines.portfolio.landing import POSITION_COLUMNS
from valuation_platform.sources.fred.series import series_request
from valuation_platform.sources.http import mirror_relpath
from valuation_platform.sources.market_calendar import us_trading_days
from valuation_platform.sources.polygon.aggregates import grouped_daily_request

# ETF -> (loading on the market factor, style factor vol, start price)
ETF_SHAPES = {"SPY": (1.0, 0.0, 450.0), "IWM": (1.15, 0.004, 190.0), "MTUM": (1.05, 0.003, 160.0),
              "QUAL": (0.95, 0.002, 140.0), "VLUE": (0.9, 0.003, 95.0), "USMV": (0.7, 0.002, 80.0)}


@dataclass(frozen=True)
class PortfolioSummary:
    portfolios: int
    positions: int
    etf_bars: int
    rate_days: int


def etf_paths(days: list[date], seed: int = 13) -> MarketPaths:
    t = len(days)
    market = np.random.default_rng([seed, MARKET_STREAM]).normal(0.0003, 0.009, t)  # simulate_market's factor
    rng = np.random.default_rng([seed, 2_000_003])
    arrays = {k: np.zeros((len(BENCHMARK_TICKERS), t)) for k in ("open", "high", "low", "close", "vwap", "volume")}
    for i, ticker in enumerate(BENCHMARK_TICKERS):
        load, style_vol, start = ETF_SHAPES[ticker]
        log_r = load * market + rng.normal(0.0, style_vol, t) + rng.normal(0.0, 0.0008, t)
        close = start * np.exp(np.cumsum(log_r))
        prev = np.concatenate(([start], close[:-1]))
        open_ = prev * np.exp(rng.normal(0.0, 0.002, t))
        high = np.maximum(open_, close) * np.exp(np.abs(rng.normal(0.0, 0.003, t)))
        low = np.minimum(open_, close) * np.exp(-np.abs(rng.normal(0.0, 0.003, t)))
        for key, values in (("open", open_), ("high", high), ("low", low), ("close", close)):
            arrays[key][i] = np.round(values, 2)
        arrays["vwap"][i] = np.round((arrays["open"][i] + arrays["high"][i] + arrays["low"][i] + 2 * arrays["close"][i]) / 5, 4)
        arrays["volume"][i] = np.round(rng.lognormal(np.log(5e6), 0.3, t))
    traded = np.ones((len(BENCHMARK_TICKERS), t), dtype=bool)
    return MarketPaths(tickers=list(BENCHMARK_TICKERS), days=days, transactions=np.full(traded.shape, 20_000),
                       traded=traded, returns_z=np.zeros(traded.shape), **arrays)


def _append_grouped(root: Path, paths: MarketPaths, start: date, end: date, compress: bool) -> None:
    """Add the ETFs' bars to the grouped-daily files the market generator wrote for the run window."""
    by_day = {d: j for j, d in enumerate(paths.days)}
    day = start
    while day <= end:
        j = by_day.get(day)
        rel = mirror_relpath(*grouped_daily_request(day))
        path = root / (rel + ".gz" if compress else rel)
        if j is not None and path.exists():
            raw = gzip.decompress(path.read_bytes()) if compress else path.read_bytes()
            payload = json.loads(raw)
            close_ms = int(payload["results"][0]["t"]) if payload.get("results") else None
            extra = [{"T": t, "v": float(paths.volume[i, j]), "vw": float(paths.vwap[i, j]), "o": float(paths.open[i, j]),
                      "c": float(paths.close[i, j]), "h": float(paths.high[i, j]), "l": float(paths.low[i, j]),
                      "t": close_ms, "n": 20_000} for i, t in enumerate(paths.tickers)]
            if close_ms is not None:
                payload["results"] += extra
                payload["queryCount"] = payload["resultsCount"] = payload["count"] = len(payload["results"])
                body = json.dumps(payload, separators=(",", ":")).encode()
                path.write_bytes(gzip.compress(body, compresslevel=9, mtime=0) if compress else body)
        day += timedelta(days=1)


def write_rates(root: Path, start: date, end: date, seed: int = 17) -> int:
    rng = np.random.default_rng(seed)
    lines, level, day = ["observation_date,DGS10"], 4.0, start
    sessions = set(us_trading_days(start, end))
    while day <= end:
        if day.weekday() < 5:
            if day in sessions:
                level += 0.05 * (4.0 - level) / 20 + rng.normal(0.0, 0.05)
                lines.append(f"{day.isoformat()},{level:.2f}")
            else:
                lines.append(f"{day.isoformat()},.")
        day += timedelta(days=1)
    path = root / mirror_relpath(*series_request("DGS10"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return len(lines) - 1


def _rows(account: str, name: str, holdings: list[tuple]) -> list[dict[str, str]]:
    out = []
    for symbol, ptype, qty, cost, opened, underlying, strike, expiry in holdings:
        out.append(dict(zip(POSITION_COLUMNS, (account, name, symbol, ptype, f"{qty:g}", f"{cost:.2f}", opened,
                                               underlying or "", "" if strike is None else f"{strike:g}",
                                               expiry or ""))))
    return out


def _write_csv(path: Path, header: list[str] | tuple[str, ...], rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(header), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue())


def write_landing(folder: Path, companies: list[Company], as_of: date, prices: dict[str, float]) -> int:
    """The three demo portfolios (positions opened ~6 months before ``as_of``, at the prices then)."""
    opened = (as_of - timedelta(days=180)).isoformat()
    tickers = [c.ticker for c in companies]

    def cost(t: str) -> float:
        return prices.get(t, 100.0)

    individual = [(t, "LONG", 50 + 25 * (i % 4), cost(t), opened, None, None, None) for i, t in enumerate(tickers[:15])]
    individual += [("SPY", "LONG", 20, cost("SPY"), opened, None, None, None)]
    hnw = [(t, "LONG", 200 + 100 * (i % 3), cost(t), opened, None, None, None) for i, t in enumerate(tickers[:10])]
    hnw += [(e, "LONG", 300, cost(e), opened, None, None, None) for e in ("SPY", "QUAL", "USMV", "IWM")]
    hnw += [("CASH", "CASH", 250_000, 1.0, opened, None, None, None)]
    longs, shorts = tickers[: max(1, len(tickers) * 2 // 3)], tickers[max(1, len(tickers) * 2 // 3):]
    fund = [(t, "LONG", 1_000 + 200 * i, cost(t), opened, None, None, None) for i, t in enumerate(longs)]
    fund += [(t, "SHORT", -(800 + 100 * i), cost(t), opened, None, None, None) for i, t in enumerate(shorts)]
    fund += [("IWM", "SHORT", -2_000, cost("IWM"), opened, None, None, None)]
    for underlying, ptype, moneyness in zip(DEFAULT_US_TICKERS * 2, ("LC", "LP", "SC", "SP", "LC", "LP"),
                                            (1.05, 0.95, 1.10, 0.90, 1.0, 0.9)):
        chain = synthetic_chain(underlying, "us", as_of)
        kind = "C" if ptype in ("LC", "SC") else "P"
        wanted = [i for i in range(len(chain)) if chain.option_type[i] == kind and 25 <= (chain.expiry[i] - as_of).days <= 120]
        i = min(wanted, key=lambda k: abs(chain.strike[k] - moneyness * chain.spot))
        qty = 10 if ptype in ("LC", "LP") else -10
        symbol = f"{underlying} {chain.expiry[i]:%y%m%d}{kind}{int(chain.strike[i] * 1000):08d}"
        fund.append((symbol, ptype, qty, chain.theo[i], opened, underlying, chain.strike[i], chain.expiry[i].isoformat()))
    fund += [("CASH", "CASH", 2_000_000, 1.0, opened, None, None, None)]
    fund += [("ZZZZ", "LONG", 100, 10.0, opened, None, None, None)]  # unknown ticker: quarantined on load
    books = [("IND-001", "Individual long-only", individual), ("HNW-001", "High net worth mix", hnw),
             ("FUND-001", "Long/short fund", fund)]
    n = 0
    for account, name, holdings in books:
        rows = _rows(account, name, holdings)
        _write_csv(folder / "positions" / f"{account.lower()}.csv", POSITION_COLUMNS, rows)
        n += len(rows)
    targets = [{"portfolio_id": "IND-001", "ticker": t, "target_price": f"{cost(t) * f:.2f}", "stop_price": f"{cost(t) * 0.8:.2f}",
                "set_on": opened} for t, f in zip(tickers[:4], (1.25, 1.10, 0.9, 1.5))]
    _write_csv(folder / "targets" / "targets.csv", ["portfolio_id", "ticker", "target_price", "stop_price", "set_on"], targets)
    tags = [{"portfolio_id": "FUND-001", "ticker": t, "tag": tag} for t, tag in zip(tickers[:3], ("core", "catalyst", "hedge"))]
    _write_csv(folder / "tags" / "tags.csv", ["portfolio_id", "ticker", "tag"], tags)
    return n


def write_portfolio_data(root: Path, companies: list[Company], as_of: date, *, compress: bool = True) -> PortfolioSummary:
    start, window_start = sample_start(as_of), sample_window_start(as_of)
    days = us_trading_days(start, as_of)
    paths = etf_paths(days)
    _write_aggs(_Mirror(root, compress), paths, sorted({start, window_start}), as_of, unadjusted=False)
    _append_grouped(root, paths, window_start, as_of, compress)
    rates = write_rates(root, start - timedelta(days=30), as_of)
    j = max(0, len(days) - 126)  # positions opened ~6 months ago at that day's close
    stocks = simulate_market(list(companies), days)
    prices = {t: float(stocks.close[i, j]) for i, t in enumerate(stocks.tickers) if np.isfinite(stocks.close[i, j])}
    prices |= {t: float(paths.close[i, j]) for i, t in enumerate(paths.tickers)}
    n = write_landing(root / "landing" / "portfolio", list(companies), as_of, prices)
    return PortfolioSummary(3, n, int(paths.traded.sum()), rates)
