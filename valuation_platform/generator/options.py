"""Generated option chains in the real NSE and Polygon formats, priced with our own BSM.

Each underlying has a deterministic history (for a seed): a mean-reverting log spot around its base
level and a mean-reverting ATM volatility, both stepped once per calendar day from 2000-01-01, so any
snapshot date is cheap to produce and consecutive dates form a plausible series (IV-rank history).
Contracts are priced with :func:`bsm_price` at a per-underlying smile

    sigma(K) = atm * (1 + skew * m + curvature * m^2),  m = ln(K/F) / (atm * sqrt(T)),

with ``atm`` itself sloping gently upward with maturity (``atm_3m * (1 + 0.04 ln(T / 0.25))``),
so the implied vols recovered from the written quotes reproduce the smile up to tick rounding
(two-sided quotes are rounded to the tick on each side, so the mid is within half a tick of the model).

Quirks the real feeds have, reproduced on purpose:

* strikes listed on one side only (outer strikes lose their deep in-the-money side at random);
* untraded contracts: volume 0, last price 0, NSE ``impliedVolatility`` 0, Polygon without
  ``last_trade``/``greeks``/``implied_volatility`` and an empty ``day``; some have no bid either;
* one stale last price below the discounted intrinsic value per chain (deep ITM, no quotes);
* the expiring weekly contract on an expiry day (NSE keeps listing it; its time to expiry is 0).

Mirror paths are the ones the clients request (``mirror_relpath`` of the real URLs), so one call
writes ONE snapshot: live URLs carry no date, and a second date overwrites the first. To build a
history, loop over dates with a separate root per date (or consume each snapshot before the next).
"""

from __future__ import annotations

import base64
import gzip
import json
import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from valuation_platform.analytics.options.bsm import bsm_greeks
from valuation_platform.analytics.options.chain_metrics import (
    NSE_EXPIRY_TIME,
    NSE_TZ,
    US_EXPIRY_TIME,
    US_TZ,
    year_fraction,
)
from valuation_platform.generator.universe import us_companies
from valuation_platform.sources.http import mirror_relpath
from valuation_platform.sources.nse.option_chain import option_chain_url
from valuation_platform.sources.polygon.options_snapshot import PAGE_LIMIT, snapshot_url

EPOCH = date(2000, 1, 1)
# The chains the sample mirror holds. The platform never reads these: a demo names them in
# VP_OPTION_UNDERLYINGS (see option_underlyings_setting), as a user names theirs.
DEFAULT_NSE_INDICES: tuple[str, ...] = ("NIFTY", "BANKNIFTY")
DEFAULT_NSE_EQUITIES: tuple[str, ...] = ("RELIANCE",)
DEFAULT_US_TICKERS: tuple[str, ...] = tuple(c.ticker for c in us_companies(3))
NSE_RATE = 0.065  # ~ 91-day T-bill
US_RATE = 0.045
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class UnderlyingSpec:
    symbol: str
    market: str  # "nse_index" | "nse_equity" | "us"
    base_spot: float
    base_vol: float
    dividend_yield: float
    skew: float
    curvature: float

    @property
    def rate(self) -> float:
        return US_RATE if self.market == "us" else NSE_RATE

    @property
    def expiry_time_tz(self) -> tuple[Any, str]:
        return (US_EXPIRY_TIME, US_TZ) if self.market == "us" else (NSE_EXPIRY_TIME, NSE_TZ)

    def strike_step(self, spot: float) -> float:
        if self.symbol == "BANKNIFTY":
            return 100.0
        if self.market == "nse_index":
            return 50.0
        for limit, step in ((30, 1.0), (100, 2.5), (300, 5.0), (1000, 10.0), (3000, 20.0)):
            if spot < limit:
                return step
        return 50.0

    def smile(self, strike: np.ndarray, forward: float, t: float, atm: float) -> np.ndarray:
        m = np.log(strike / forward) / (atm * np.sqrt(max(t, 1.0 / 365.0)))
        vol = atm * (1.0 + self.skew * m + self.curvature * m * m)
        return np.clip(vol, 0.4 * atm, 3.0 * atm)


KNOWN_NSE = {
    "NIFTY": UnderlyingSpec("NIFTY", "nse_index", 22000.0, 0.13, 0.012, -0.09, 0.025),
    "BANKNIFTY": UnderlyingSpec("BANKNIFTY", "nse_index", 48000.0, 0.16, 0.008, -0.08, 0.025),
    "FINNIFTY": UnderlyingSpec("FINNIFTY", "nse_index", 21500.0, 0.15, 0.009, -0.08, 0.025),
    "RELIANCE": UnderlyingSpec("RELIANCE", "nse_equity", 2900.0, 0.24, 0.003, -0.06, 0.04),
}


def _stable_hash(text: str) -> int:
    return zlib.crc32(text.encode())


def underlying_spec(symbol: str, market: str, seed: int = 11) -> UnderlyingSpec:
    """The spec of a known NSE symbol, a universe company (US), or a seeded made-up one."""
    if market != "us" and symbol in KNOWN_NSE:
        return KNOWN_NSE[symbol]
    rng = np.random.default_rng([seed, _stable_hash(symbol), 1])
    if market == "us":
        base = next(
            (c.base_price for c in us_companies(200) if c.ticker == symbol), float(rng.uniform(20, 400))
        )
        return UnderlyingSpec(
            symbol,
            "us",
            float(base),
            float(rng.uniform(0.22, 0.55)),
            float(rng.choice([0.0, rng.uniform(0.005, 0.02)])),
            float(rng.uniform(-0.08, -0.03)),
            float(rng.uniform(0.03, 0.06)),
        )
    kind = "nse_index" if market == "nse_index" else "nse_equity"
    return UnderlyingSpec(
        symbol,
        kind,
        float(rng.uniform(200, 5000)),
        float(rng.uniform(0.2, 0.4)),
        float(rng.uniform(0.0, 0.02)),
        -0.06,
        0.04,
    )


@lru_cache(maxsize=64)
def _paths(symbol: str, seed: int, base_vol: float, days: int) -> tuple[np.ndarray, np.ndarray]:
    """Daily log-spot deviation and log-vol factor from EPOCH, both mean reverting (AR(1)).

    ``days`` is a horizon (callers round it up), so a date's values never depend on the requested date."""
    rng = np.random.default_rng([seed, _stable_hash(symbol), 0])
    shocks = rng.standard_normal((days + 1, 2))
    spot_dev = np.empty(days + 1)
    vol_dev = np.empty(days + 1)
    spot_dev[0] = vol_dev[0] = 0.0
    daily = base_vol / np.sqrt(365.0)
    for i in range(1, days + 1):  # a few thousand steps: cheap, and exact for any date
        vol_dev[i] = 0.97 * vol_dev[i - 1] + 0.06 * shocks[i, 1]
        spot_dev[i] = (1 - 1 / 500) * spot_dev[i - 1] + daily * np.exp(vol_dev[i]) * shocks[i, 0]
    return spot_dev, vol_dev


def spot_and_vol(spec: UnderlyingSpec, day: date, seed: int = 11) -> tuple[float, float]:
    """The underlying price and ATM vol of ``spec`` on ``day`` (deterministic for a seed)."""
    days = (day - EPOCH).days
    if days < 0:
        raise ValueError(f"snapshot dates start at {EPOCH}")
    horizon = (days // 4096 + 1) * 4096  # one cached path serves every date of a ~11-year block
    spot_dev, vol_dev = _paths(spec.symbol, seed, spec.base_vol, horizon)
    return round(spec.base_spot * float(np.exp(spot_dev[days])), 2), spec.base_vol * float(
        np.exp(vol_dev[days])
    )


# -- expiries ----------------------------------------------------------------------------------


def _next_weekday(d: date, weekday: int) -> date:
    return d + timedelta(days=(weekday - d.weekday()) % 7)


def _last_weekday_of_month(year: int, month: int, weekday: int) -> date:
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    last = first_next - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _third_weekday_of_month(year: int, month: int, weekday: int) -> date:
    return _next_weekday(date(year, month, 1), weekday) + timedelta(weeks=2)


def expiries(spec: UnderlyingSpec, snapshot_date: date) -> list[date]:
    """Listed expiries: NSE index weeklies (Thursday) + monthlies (last Thursday), NSE stock monthlies,
    US weeklies (Friday) + monthlies (third Friday). An expiry on the snapshot date is still listed."""
    out: set[date] = set()
    y, m = snapshot_date.year, snapshot_date.month
    months = [(y + (m - 1 + k) // 12, (m - 1 + k) % 12 + 1) for k in range(4)]
    if spec.market == "us":
        first = _next_weekday(snapshot_date, 4)
        out |= {first + timedelta(weeks=k) for k in range(4)}
        out |= {d for d in (_third_weekday_of_month(yy, mm, 4) for yy, mm in months) if d >= snapshot_date}
        return sorted(out)[:6]
    monthly = [d for d in (_last_weekday_of_month(yy, mm, 3) for yy, mm in months) if d >= snapshot_date]
    if spec.market == "nse_equity":
        return monthly[:3]
    first = _next_weekday(snapshot_date, 3)
    out |= {first + timedelta(weeks=k) for k in range(4)}
    out |= set(monthly[:3])
    return sorted(out)


# -- the synthetic chain -----------------------------------------------------------------------


@dataclass
class SyntheticChain:
    """A priced chain: one row per listed contract, arrays aligned (``option_type`` is 'C'/'P')."""

    spec: UnderlyingSpec
    snapshot_ts: datetime  # UTC
    spot: float
    atm_vol: float
    tick: float
    expiry: list[date] = field(default_factory=list)
    strike: list[float] = field(default_factory=list)
    option_type: list[str] = field(default_factory=list)
    true_vol: list[float] = field(default_factory=list)
    t_years: list[float] = field(default_factory=list)
    theo: list[float] = field(default_factory=list)
    bid: list[float] = field(default_factory=list)
    ask: list[float] = field(default_factory=list)
    last: list[float] = field(default_factory=list)
    volume: list[int] = field(default_factory=list)
    open_interest: list[int] = field(default_factory=list)
    oi_change: list[int] = field(default_factory=list)
    traded: list[bool] = field(default_factory=list)
    stale: list[bool] = field(default_factory=list)
    greeks: list[dict[str, float]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.strike)


def _round_tick(x: np.ndarray, tick: float) -> np.ndarray:
    return np.round(np.round(x / tick) * tick, 2)


def _snapshot_ts(spec: UnderlyingSpec, snapshot_date: date) -> datetime:
    close, tz = spec.expiry_time_tz
    local = datetime(
        snapshot_date.year,
        snapshot_date.month,
        snapshot_date.day,
        close.hour,
        close.minute,
        tzinfo=ZoneInfo(tz),
    )
    return local.astimezone(UTC)


def synthetic_chain(symbol: str, market: str, snapshot_date: date, seed: int = 11) -> SyntheticChain:
    """Every listed contract of ``symbol`` on ``snapshot_date`` with model vol, quotes, OI and volume."""
    spec = underlying_spec(symbol, market, seed)
    spot, atm = spot_and_vol(spec, snapshot_date, seed)
    snap = _snapshot_ts(spec, snapshot_date)
    tick = 0.01 if spec.market == "us" else 0.05  # NSE ticks in 5 paise
    rng = np.random.default_rng([seed, _stable_hash(symbol), snapshot_date.toordinal()])
    chain = SyntheticChain(spec, snap, spot, atm, tick)
    r, q = spec.rate, spec.dividend_yield
    step = spec.strike_step(spot)
    close, tz = spec.expiry_time_tz
    exps = expiries(spec, snapshot_date)
    stale_done = False
    for n, exp in enumerate(exps):
        t = float(year_fraction([snap], [exp], expiry_time=close, tz=tz)[0])
        forward = spot * np.exp((r - q) * t)
        width = np.clip(3.5 * atm * np.sqrt(max(t, 7 / 365)), 0.06, 0.45)
        lo = np.floor(spot * (1 - width) / step) * step
        hi = np.ceil(spot * (1 + width) / step) * step
        strikes = np.arange(lo, hi + step / 2, step)
        strikes = strikes[strikes > 0]
        moneyness = np.log(strikes / forward)
        # A gently upward-sloping term structure around the 3-month ATM level.
        atm_t = atm * (1.0 + 0.04 * np.log(max(t, 2 / 365) / 0.25))
        vols = spec.smile(strikes, forward, t, atm_t)
        # Open interest peaks near the money, puts below and calls above; round strikes draw more.
        round_bonus = np.where(np.isclose(np.mod(strikes, step * 10), 0), 2.0, 1.0)
        near = np.exp(-0.5 * (moneyness / (0.6 * width)) ** 2) * round_bonus * (1.0 / (1 + 0.6 * n))
        outer = np.abs(moneyness) > 0.65 * width
        for kind, sign in (("C", 1.0), ("P", -1.0)):
            listed = ~(outer & (sign * moneyness < 0) & (rng.random(strikes.size) < 0.35))
            g = bsm_greeks(spot, strikes, t, r, vols, q, kind)
            theo = g.price
            side_bias = np.where(sign * moneyness > 0, 1.3, 0.7)
            oi = np.floor(
                near * side_bias * rng.uniform(0.6, 1.4, strikes.size) * 40000 / (1 + step / 100)
            ).astype(int)
            traded = (oi > 20) & (theo >= 2 * tick) & (rng.random(strikes.size) > 0.05)
            volume = np.where(traded, np.floor(oi * rng.uniform(0.3, 2.5, strikes.size)), 0).astype(int)
            oi_change = np.where(oi > 0, np.floor(oi * rng.uniform(-0.15, 0.25, strikes.size)), 0).astype(int)
            half_spread = np.maximum(tick, 0.01 * theo + 0.5 * tick)
            bid = _round_tick(theo - half_spread, tick)
            ask = _round_tick(theo + half_spread, tick)
            bid = np.where(bid >= tick, bid, 0.0)
            quoted = traded | (rng.random(strikes.size) < 0.5)
            bid = np.where(quoted, bid, 0.0)
            ask = np.where(quoted & (ask >= tick), ask, 0.0)
            last = np.where(traded, _round_tick(theo * (1 + rng.normal(0, 0.01, strikes.size)), tick), 0.0)
            last = np.where(traded & (last < tick), tick, last)
            stale = np.zeros(strikes.size, dtype=bool)
            if not stale_done and t > 3 / 365:
                # A deep in-the-money call whose last trade predates a rally: below intrinsic, no quotes.
                disc_intrinsic = spot * np.exp(-q * t) - strikes * np.exp(-r * t)
                deep = np.flatnonzero(listed & (sign > 0) & (disc_intrinsic > 0.08 * spot))
                if deep.size:
                    i = int(deep[-1])
                    last[i] = float(_round_tick(np.array([0.97 * disc_intrinsic[i]]), tick)[0])
                    bid[i] = ask[i] = 0.0
                    traded[i], stale[i], stale_done = True, True, True
                    volume[i] = max(int(volume[i]), 1)
            for i in np.flatnonzero(listed):
                chain.expiry.append(exp)
                chain.strike.append(float(strikes[i]))
                chain.option_type.append(kind)
                chain.true_vol.append(float(vols[i]))
                chain.t_years.append(t)
                chain.theo.append(float(theo[i]))
                chain.bid.append(float(bid[i]))
                chain.ask.append(float(ask[i]))
                chain.last.append(float(last[i]))
                chain.volume.append(int(volume[i]))
                chain.open_interest.append(int(oi[i]))
                chain.oi_change.append(int(oi_change[i]))
                chain.traded.append(bool(traded[i]))
                chain.stale.append(bool(stale[i]))
                chain.greeks.append(
                    {
                        "delta": float(g.delta[i]),
                        "gamma": float(g.gamma[i]),
                        "theta": float(g.theta_per_day[i]),
                        "vega": float(g.vega[i]),
                    }
                )
    return chain


# -- NSE format --------------------------------------------------------------------------------


def _nse_date(d: date) -> str:
    return f"{d.day:02d}-{MONTHS[d.month - 1]}-{d.year}"


def nse_payload(chain: SyntheticChain) -> dict[str, Any]:
    """The ``option-chain-indices`` / ``option-chain-equities`` JSON of a synthetic chain."""
    spec = chain.spec
    prefix = "OPTIDX" if spec.market == "nse_index" else "OPTSTK"
    entries: dict[tuple[float, date], dict[str, Any]] = {}
    for i in range(len(chain)):
        exp, k, kind = chain.expiry[i], chain.strike[i], chain.option_type[i]
        side = "CE" if kind == "C" else "PE"
        entry = entries.setdefault((k, exp), {"strikePrice": _num(k), "expiryDate": _nse_date(exp)})
        prev_close = chain.theo[i] * (1 + 0.03)
        last = chain.last[i]
        oi = chain.open_interest[i]
        entry[side] = {
            "strikePrice": _num(k),
            "expiryDate": _nse_date(exp),
            "underlying": spec.symbol,
            "identifier": f"{prefix}{spec.symbol}{exp.strftime('%d-%m-%Y')}{side}{k:.2f}",
            "openInterest": oi,
            "changeinOpenInterest": chain.oi_change[i],
            "pchangeinOpenInterest": (
                100.0 * chain.oi_change[i] / (oi - chain.oi_change[i]) if oi - chain.oi_change[i] > 0 else 0
            ),
            "totalTradedVolume": chain.volume[i],
            "impliedVolatility": round(chain.true_vol[i] * 100, 2)
            if chain.traded[i] and not chain.stale[i]
            else 0,
            "lastPrice": last,
            "change": round(last - prev_close, 2) if last else 0,
            "pChange": (100 * (last - prev_close) / prev_close) if last else 0,
            "totalBuyQuantity": 0 if not chain.bid[i] else int(oi * 3 + 25),
            "totalSellQuantity": 0 if not chain.ask[i] else int(oi * 2 + 25),
            "bidQty": 0 if not chain.bid[i] else 25 * (1 + i % 7),
            "bidprice": chain.bid[i],
            "askQty": 0 if not chain.ask[i] else 25 * (1 + i % 5),
            "askPrice": chain.ask[i],
            "underlyingValue": chain.spot,
        }
    data = [entries[key] for key in sorted(entries)]
    expiries_sorted = sorted({e for _, e in entries})
    ist = chain.snapshot_ts.astimezone(ZoneInfo(NSE_TZ))
    records: dict[str, Any] = {
        "expiryDates": [_nse_date(e) for e in expiries_sorted],
        "data": data,
        "timestamp": f"{_nse_date(ist.date())} {ist:%H:%M:%S}",
        "underlyingValue": chain.spot,
        "strikePrices": sorted({_num(k) for k, _ in entries}),
    }
    if spec.market == "nse_index":
        records["index"] = {
            "key": "INDICES ELIGIBLE IN DERIVATIVES",
            "index": spec.symbol,
            "indexSymbol": spec.symbol,
            "last": chain.spot,
        }
    nearest = [d for d in data if d["expiryDate"] == _nse_date(expiries_sorted[0])]
    totals = {
        side: {
            "totOI": sum(d[side]["openInterest"] for d in nearest if side in d),
            "totVol": sum(d[side]["totalTradedVolume"] for d in nearest if side in d),
        }
        for side in ("CE", "PE")
    }
    return {"records": records, "filtered": {"data": nearest, **totals}}


def _num(x: float) -> float | int:
    return int(x) if float(x).is_integer() else float(x)


# -- Polygon format ----------------------------------------------------------------------------


def occ_ticker(root: str, expiry: date, kind: str, strike: float) -> str:
    return f"O:{root}{expiry:%y%m%d}{kind}{int(round(strike * 1000)):08d}"


def polygon_results(chain: SyntheticChain) -> list[dict[str, Any]]:
    """The snapshot ``results`` objects of a synthetic chain, sorted by contract ticker."""
    snap_ns = int(chain.snapshot_ts.timestamp()) * 1_000_000_000
    out = []
    for i in range(len(chain)):
        exp, k, kind = chain.expiry[i], chain.strike[i], chain.option_type[i]
        bid, ask, last = chain.bid[i], chain.ask[i], chain.last[i]
        mid = 0.5 * (bid + ask) if bid and ask else (last or ask or 0.0)
        break_even = k + mid if kind == "C" else k - mid
        result: dict[str, Any] = {
            "break_even_price": round(break_even, 4),
            "day": {},
            "details": {
                "contract_type": "call" if kind == "C" else "put",
                "exercise_style": "american",
                "expiration_date": exp.isoformat(),
                "shares_per_contract": 100,
                "strike_price": _num(k),
                "ticker": occ_ticker(chain.spec.symbol, exp, kind, k),
            },
            "last_quote": {
                "ask": ask,
                "ask_size": 10 + i % 90 if ask else 0,
                "bid": bid,
                "bid_size": 10 + i % 70 if bid else 0,
                "last_updated": snap_ns - 1_000_000 * (i % 997),
                "midpoint": round(0.5 * (bid + ask), 4),
                "timeframe": "REAL-TIME",
            },
            "open_interest": chain.open_interest[i],
            "underlying_asset": {
                "change_to_break_even": round(break_even - chain.spot, 4),
                "last_updated": snap_ns,
                "price": chain.spot,
                "ticker": chain.spec.symbol,
                "timeframe": "REAL-TIME",
            },
        }
        if chain.traded[i]:
            prev = round(chain.theo[i] * 1.03, 2)
            result["day"] = {
                "change": round(last - prev, 4),
                "change_percent": round(100 * (last - prev) / prev, 4),
                "close": last,
                "high": round(max(last, prev) * 1.02, 2),
                "last_updated": snap_ns,
                "low": round(min(last, prev) * 0.98, 2),
                "open": prev,
                "previous_close": prev,
                "volume": chain.volume[i],
                "vwap": last,
            }
            result["last_trade"] = {
                "price": last,
                "sip_timestamp": snap_ns - 60_000_000_000 * (1 + i % 30),
                "size": 1 + i % 9,
                "conditions": [209],
                "exchange": 300 + i % 20,
                "timeframe": "REAL-TIME",
            }
            if not chain.stale[i]:
                result["greeks"] = chain.greeks[i]
                result["implied_volatility"] = chain.true_vol[i]
        out.append(result)
    out.sort(key=lambda r: r["details"]["ticker"])
    return out


def polygon_pages(chain: SyntheticChain, page_limit: int = PAGE_LIMIT) -> list[tuple[str, dict[str, Any]]]:
    """``(mirror relpath, page JSON)`` for every page, linked by ``next_url`` as Polygon links them."""
    results = polygon_results(chain)
    url = snapshot_url(chain.spec.symbol)
    pages = [results[i : i + page_limit] for i in range(0, max(len(results), 1), page_limit)]
    out: list[tuple[str, dict[str, Any]]] = []
    for n, page in enumerate(pages):
        params = {"limit": page_limit} if n == 0 else {"cursor": _cursor(chain, n)}
        body: dict[str, Any] = {
            "request_id": f"{zlib.crc32(f'{chain.spec.symbol}{chain.snapshot_ts}{n}'.encode()):08x}" * 4,
            "results": page,
            "status": "OK",
        }
        if n + 1 < len(pages):
            body["next_url"] = f"{url}?cursor={_cursor(chain, n + 1)}"
        out.append((mirror_relpath(url, params), body))
    return out


def _cursor(chain: SyntheticChain, page: int) -> str:
    raw = f"ticker={chain.spec.symbol}&as_of={chain.snapshot_ts:%Y-%m-%d}&offset={page}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# -- writing -----------------------------------------------------------------------------------


def _write(root: Path, relpath: str, payload: dict[str, Any], compress: bool = False) -> Path:
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps(payload, separators=(",", ":")).encode()
    if compress:  # the mirror client reads a .gz sibling when the plain file is absent
        path = path.with_name(path.name + ".gz")
        body = gzip.compress(body, compresslevel=6, mtime=0)  # mtime=0: same bytes every run
    path.write_bytes(body)
    return path


def write_option_chains(
    root: Path,
    snapshot_date: date,
    *,
    seed: int = 11,
    nse_symbols: tuple[str, ...] = DEFAULT_NSE_INDICES,
    nse_equities: tuple[str, ...] = DEFAULT_NSE_EQUITIES,
    us_tickers: tuple[str, ...] = DEFAULT_US_TICKERS,
    page_limit: int = PAGE_LIMIT,
    compress: bool = False,
) -> list[Path]:
    """Write one snapshot of every chain under ``root`` (a mirror); returns the files written.

    NSE indices -> ``www.nseindia.com/api/option-chain-indices?symbol=<S>``, NSE stocks ->
    ``.../option-chain-equities?symbol=<S>``, US -> ``api.polygon.io/v3/snapshot/options/<T>?limit=250``
    plus ``?cursor=...`` pages. Deterministic for ``(seed, snapshot_date)``. ``compress`` writes
    ``<file>.gz`` instead (a small committed sample).
    """
    root = Path(root)
    written: list[Path] = []
    for symbols, market, kind in (
        (nse_symbols, "nse_index", "indices"),
        (nse_equities, "nse_equity", "equities"),
    ):
        for symbol in symbols:
            chain = synthetic_chain(symbol, market, snapshot_date, seed)
            relpath = mirror_relpath(option_chain_url(kind), {"symbol": symbol})
            written.append(_write(root, relpath, nse_payload(chain), compress))
    for ticker in us_tickers:
        chain = synthetic_chain(ticker, "us", snapshot_date, seed)
        for relpath, body in polygon_pages(chain, page_limit):
            written.append(_write(root, relpath, body, compress))
    return written


def option_underlyings_setting(
    nse_symbols: tuple[str, ...] = DEFAULT_NSE_INDICES,
    nse_equities: tuple[str, ...] = DEFAULT_NSE_EQUITIES,
    us_tickers: tuple[str, ...] = DEFAULT_US_TICKERS,
) -> str:
    """The ``VP_OPTION_UNDERLYINGS`` value naming exactly the chains :func:`write_option_chains` writes
    with the same arguments (what ``vp demo`` and the tests set for a generated mirror)."""
    return f"NSE:{','.join((*nse_symbols, *nse_equities))};US:{','.join(us_tickers)}"
