"""Write a whole mirror: every source the platform reads, at ``<root>/<host>/<url path>``."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from valuation_platform.generator.india import india_companies, write_india_data
from valuation_platform.generator.intelligence import write_intelligence_data
from valuation_platform.analytics.portfolio.factors import BENCHMARK_TICKERS
from valuation_platform.generator.market import planned_split, sample_start, write_market_data
from valuation_platform.generator.options import (
    DEFAULT_NSE_EQUITIES,
    DEFAULT_NSE_INDICES,
    DEFAULT_US_TICKERS,
    option_underlyings_setting,
    write_option_chains,
)
from valuation_platform.generator.portfolio import write_portfolio_data
from valuation_platform.generator.trading import write_trading_data
from valuation_platform.generator.ownership import describe as describe_ownership
from valuation_platform.generator.ownership import write_ownership_mirror
from valuation_platform.generator.sec import DEFAULT_AS_OF, write_sec_mirror
from valuation_platform.generator.trading_desk import write_trading_desk
from valuation_platform.generator.universe import us_companies
from valuation_platform.generator.valuation import sample_companies, sessions_between, write_valuation_landing
from valuation_platform.sources.market_calendar import us_trading_days


# The window a demo run over a generated mirror materializes: the last week up to the as-of date.
WINDOW_DAYS = 7
VALUED_COMPANIES = 60  # the largest investable India companies get statement exports (the valuation sample)


def write_manifest(root: Path, as_of: date, india_target: int | None = None,
                   option_us_tickers: tuple[str, ...] = DEFAULT_US_TICKERS) -> None:
    """``mirror.json``: what the mirror covers, so `vp demo` and the tests run its window (no dates in code),
    and the settings a user of this mirror would make (the option underlyings it holds chains for)."""
    window = {"window_start": (as_of - timedelta(days=WINDOW_DAYS)).isoformat(), "window_end": as_of.isoformat()}
    settings = {"VP_OPTION_UNDERLYINGS": option_underlyings_setting(us_tickers=option_us_tickers),
                "VP_BENCHMARK_TICKERS": ",".join(BENCHMARK_TICKERS)}  # the portfolio domain's factor ETFs
    if india_target is not None:  # a smaller India universe than the platform's default target
        settings["VP_INDIA_TARGET"] = str(india_target)
    manifest = {"as_of": as_of.isoformat(), **window, "settings": settings}
    (root / "mirror.json").write_text(json.dumps(manifest, indent=2) + "\n")


def write_mirror(root: Path, *, companies: int, as_of: date = DEFAULT_AS_OF, seed: int = 7,
                 with_faults: bool = True, india: tuple[int, int, int] | None = None,
                 option_underlyings: int | None = None) -> list[str]:
    """``india``: (classified companies, investable, universe target) for a smaller India sample than the
    default 2,500 / 1,200 / the platform's 1,000 target (the tests' shared demo). ``option_underlyings``:
    chains for that many underlyings in all (the NSE defaults, then the universe's first US tickers) instead
    of the default handful (the seeds' scale is 200)."""
    root.mkdir(parents=True, exist_ok=True)
    us_tickers = option_us_tickers(companies, seed, option_underlyings)
    write_manifest(root, as_of, india_target=india[2] if india else None, option_us_tickers=us_tickers)
    # the filings of the company the market mirror splits report post-split shares after the split
    split = planned_split(us_companies(companies, seed), us_trading_days(sample_start(as_of), as_of))
    splits = {split.ticker: (split.day, split.ratio)} if split else None
    sec = write_sec_mirror(root, companies, as_of=as_of, seed=seed, with_faults=with_faults, splits=splits)
    # one snapshot, stamped at the as-of close
    chains = write_option_chains(root, as_of, us_tickers=us_tickers, compress=True)
    ownership = write_ownership_mirror(root, us_companies(companies, seed), as_of=as_of,
                                       with_faults=with_faults)
    return [f"sec: {sec.companies} companies, {sec.facts:,} facts, {len(sec.bad_documents)} broken documents",
            f"options: {len(chains)} chain documents (NSE + Polygon) for {as_of}",
            describe_ownership(*ownership),
            _market(root, us_companies(companies, seed), as_of),
            _portfolio(root, us_companies(companies, seed), as_of),
            _india(root, as_of, *(india[:2] if india else (2500, 1200))),
            _trading_desk(root, as_of, *(india[:2] if india else (2500, 1200))),
            _intelligence(root, as_of, with_faults)]


def option_us_tickers(companies: int, seed: int, underlyings: int | None) -> tuple[str, ...]:
    """The US tickers with chains: the default handful, or the universe's first ones up to ``underlyings``
    chains in all (NSE's default indices and stocks count)."""
    if underlyings is None:
        return DEFAULT_US_TICKERS
    nse = len(DEFAULT_NSE_INDICES) + len(DEFAULT_NSE_EQUITIES)
    return tuple(c.ticker for c in us_companies(companies, seed)[: max(underlyings - nse, 0)])


def _market(root: Path, universe: list, as_of: date) -> str:
    # Prices, news and ratings: the history the first run of the window fetches, then the window, gzipped.
    m = write_market_data(root, universe, sample_start(as_of), as_of, compress=True)
    return (f"market: {m.tickers} tickers x {m.trading_days} sessions ({m.bars:,} bars), "
            f"{m.articles} news articles, {m.ratings} analyst ratings")


def _portfolio(root: Path, universe: tuple, as_of: date) -> str:
    # After the market data: the ETFs are appended to its grouped-daily files.
    p = write_portfolio_data(root, list(universe), as_of)
    return (f"portfolio: {p.portfolios} portfolios, {p.positions} position rows (one bad), "
            f"{p.etf_bars:,} ETF bars, {p.rate_days} DGS10 days")


def _trading_desk(root: Path, as_of: date, classified: int, investable: int) -> str:
    # After the India landing: cards are priced off its bhavcopies, and the regime index is appended to them.
    d = write_trading_desk(root / "landing" / "trading", root / "landing" / "india", as_of,
                           classified=classified, investable=investable)
    return (f"trading desk: {d.cards} card documents (one quarantined, one a resubmission), {d.accounts} accounts, "
            f"{d.transfers} transfer requests (one quarantined), {d.fills} fills")


def _intelligence(root: Path, as_of: date, with_faults: bool) -> str:
    feeds = write_intelligence_data(root, as_of, with_faults=with_faults)
    return (f"intelligence: {len(feeds)} RSS feeds (RBI, SEBI, PIB, business news), {sum(feeds.values())} items"
            + (" (one feed cut short, one item without a link)" if with_faults else ""))


def _india(root: Path, as_of: date, classified: int, investable: int) -> str:
    # 40 reference months up to the month before the as-of date (its releases are out by then), so the
    # macro asset's 24 months of history behind the window's month exist; 1,200 investable companies leave
    # ~1,066 eligible for the default VP_INDIA_TARGET of 1,000. Mirror files gzipped; landing files plain,
    # the classification as the workbook only (its CSV export would repeat it).
    end = date(as_of.year, as_of.month, 1) - timedelta(days=1)
    india = write_india_data(root, n_companies=classified, investable=investable, months=40, end=end, compress=True,
                             classification_formats=("xlsx",))
    # Valuation inputs in the same landing folder: statements of the largest companies, and bhavcopies from a
    # week before the window (the first session's CMP) to the as-of date.
    valued = sample_companies(india_companies(classified, investable), VALUED_COMPANIES)
    sessions = sessions_between(as_of - timedelta(days=WINDOW_DAYS + 7), as_of)
    valuation_files = write_valuation_landing(root / "landing" / "india", valued, sessions, as_of=as_of)
    # NSE reference, calendar, flows, insider and deals for the window's sessions (trading domain)
    trading = write_trading_data(root, india_companies(classified, investable), valued,
                                 sessions_between(as_of - timedelta(days=WINDOW_DAYS), as_of), as_of=as_of)
    return (f"india: {india.companies} classified companies ({india.investable} investable), "
            f"{len(india.months)} macro months {india.months[0]:%Y-%m}..{india.months[-1]:%Y-%m}, "
            f"{len(india.mirror_files)} mirror and {len(india.landing_files)} landing files; valuation: "
            f"{len(valued)} statement exports and {len(valuation_files) - len(valued)} bhavcopies; trading: "
            f"{trading.symbols} NSE symbols, {trading.events} calendar events, {trading.insider_rows} insider rows "
            f"and {trading.deals} deals over {trading.sessions} sessions, {trading.flow_sessions} FII/DII sessions")
