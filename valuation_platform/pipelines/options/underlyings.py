"""Which option chains to snapshot: the ``VP_OPTION_UNDERLYINGS`` setting and its defaults.

Setting format (one variable, markets separated by ``;``, symbols by ``,``, case-insensitive)::

    VP_OPTION_UNDERLYINGS="NSE:NIFTY,BANKNIFTY,RELIANCE;US:AAPL,MSFT"

* a market listed with symbols snapshots exactly those;
* a market listed empty (``US:``) snapshots nothing for that market;
* a market left out takes its default:

  - NSE: the index options NSE lists, :data:`NSE_DEFAULT_INDICES` (NIFTY, BANKNIFTY, FINNIFTY,
    MIDCPNIFTY). Symbols in :data:`NSE_INDEX_SYMBOLS` are read from ``/api/option-chain-indices``,
    any other NSE symbol (a stock such as RELIANCE) from ``/api/option-chain-equities``.
  - US: the universe's most liquid tickers, by :class:`LiquidityRule` over what the market domain stored:
    the tickers of ``raw.us_universe`` (narrowed by ``VP_TICKERS`` when set) ranked by average dollar
    volume (close x volume, a missing session counting as 0) over the last ``sessions`` sessions of
    ``raw.polygon_daily_bars`` on or before the run's date; those averaging at least
    ``min_avg_dollar_volume`` are kept, the ``top_n`` highest. Listed options need a liquid underlying:
    below ~$25M a day the chains are mostly empty quotes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import psycopg

from valuation_platform.sources.errors import SourceNotConfigured
from valuation_platform.sources.polygon import options_snapshot as polygon

SETTING = "VP_OPTION_UNDERLYINGS"
# Symbols NSE serves from its index option-chain endpoint (NIFTY NEXT 50 is listed but thinly traded).
NSE_INDEX_SYMBOLS: frozenset[str] = frozenset({"NIFTY", "BANKNIFTY", "FINNIFTY", "MIDCPNIFTY", "NIFTYNXT50"})
NSE_DEFAULT_INDICES: tuple[str, ...] = ("NIFTY", "BANKNIFTY", "FINNIFTY", "MIDCPNIFTY")
MARKET_NAMES = {"NSE": "nse", "US": "us"}


@dataclass(frozen=True)
class LiquidityRule:
    """The US default: the ``top_n`` universe tickers by average dollar volume over ``sessions`` sessions,
    each averaging at least ``min_avg_dollar_volume``."""

    top_n: int = 20
    min_avg_dollar_volume: float = 25_000_000.0
    sessions: int = 20

    def describe(self) -> str:
        return (f"top {self.top_n} universe tickers by average dollar volume over the last {self.sessions} "
                f"sessions, at least ${self.min_avg_dollar_volume:,.0f} a session")


@dataclass(frozen=True)
class UnderlyingsSetting:
    """Parsed ``VP_OPTION_UNDERLYINGS``: ``explicit[market]`` is the listed symbols; absent = the default."""

    explicit: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str | None) -> UnderlyingsSetting:
        explicit: dict[str, tuple[str, ...]] = {}
        for part in (text or "").split(";"):
            if not part.strip():
                continue
            name, sep, symbols = part.partition(":")
            market = MARKET_NAMES.get(name.strip().upper())
            if not sep or market is None:
                raise ValueError(
                    f"{SETTING}: {part.strip()!r} is not MARKET:SYMBOL,...; markets are "
                    f"{', '.join(MARKET_NAMES)} (e.g. 'NSE:NIFTY,BANKNIFTY;US:AAPL,MSFT')"
                )
            explicit[market] = tuple(dict.fromkeys(s.strip().upper() for s in symbols.split(",") if s.strip()))
        return cls(explicit)

    def nse(self) -> tuple[str, ...]:
        return self.explicit.get("nse", NSE_DEFAULT_INDICES)


def nse_endpoint(symbol: str) -> str:
    """``indices`` or ``equities``: which NSE option-chain endpoint serves ``symbol``."""
    return "indices" if symbol.upper() in NSE_INDEX_SYMBOLS else "equities"


# The market's last `sessions` sessions on or before the date, then each universe ticker's dollar
# volume summed over them (missing sessions count as 0) and averaged over the sessions.
LIQUIDITY_QUERY = """
with sessions as (
    select distinct trade_date from raw.polygon_daily_bars
    where trade_date <= %(as_of)s order by trade_date desc limit %(sessions)s
),
universe as (
    select distinct ticker from raw.us_universe
    where %(tickers)s::text[] is null or ticker = any(%(tickers)s::text[])
)
select u.ticker,
       coalesce(sum(b.close * b.volume), 0) / greatest((select count(*) from sessions), 1) as avg_dollar_volume,
       count(b.trade_date) as sessions_traded
from universe u
left join raw.polygon_daily_bars b on b.ticker = u.ticker and b.trade_date in (select trade_date from sessions)
group by u.ticker
order by avg_dollar_volume desc, u.ticker
"""


@dataclass
class UsSelection:
    tickers: list[str]
    ranked: list[tuple[str, float, int]]  # (ticker, average dollar volume, sessions traded), best first
    sessions: int  # sessions found in raw.polygon_daily_bars

    def report(self, rule: LiquidityRule) -> list[str]:
        chosen = set(self.tickers)
        return [f"{t}: ${v:,.0f} a session over {n}/{self.sessions} sessions{' (chosen)' if t in chosen else ''}"
                for t, v, n in self.ranked[: max(rule.top_n * 2, 10)]]


def liquid_us_tickers(
    conn: psycopg.Connection, rule: LiquidityRule, as_of: date, ticker_filter: list[str]
) -> UsSelection:
    """The US default underlyings as of ``as_of``; raises :class:`SourceNotConfigured` (one clear line
    naming what is empty) when the universe or its prices give none."""
    params: dict[str, Any] = {"as_of": as_of, "sessions": rule.sessions, "tickers": ticker_filter or None}
    ranked = [(t, float(v), int(n)) for t, v, n in conn.execute(LIQUIDITY_QUERY, params).fetchall()]
    sessions = conn.execute(
        "select count(*) from (select distinct trade_date from raw.polygon_daily_bars where trade_date <= %s"
        " order by trade_date desc limit %s) s", (as_of, rule.sessions)
    ).fetchone()[0]
    why = None
    if not ranked:
        why = ("raw.us_universe is empty" if not ticker_filter
               else f"none of VP_TICKERS ({', '.join(ticker_filter)}) is in raw.us_universe")
    elif sessions == 0:
        why = f"raw.polygon_daily_bars holds no session on or before {as_of} for the {len(ranked)} universe tickers"
    chosen = [t for t, v, _ in ranked if v >= rule.min_avg_dollar_volume][: rule.top_n]
    if why is None and not chosen:
        best = ranked[0]
        why = (f"no universe ticker averages ${rule.min_avg_dollar_volume:,.0f} a session over the last "
               f"{sessions} sessions (best: {best[0]} at ${best[1]:,.0f})")
    if why is not None:
        raise SourceNotConfigured(
            polygon.SOURCE, SETTING, f"no US underlyings: {why}; list them as US:AAPL,... or load the market data"
        )
    return UsSelection(chosen, ranked, sessions)
