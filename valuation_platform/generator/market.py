"""Generated US market payloads in the real formats: Polygon aggregates and news, Benzinga ratings.

:func:`write_market_data` writes, under a mirror root, exactly the files the clients request (the
request builders of :mod:`valuation_platform.sources.polygon.aggregates`,
:mod:`~valuation_platform.sources.polygon.news` and :mod:`valuation_platform.sources.benzinga.ratings`
name them, so generator and clients cannot drift apart):

* per ticker, Polygon daily aggregates for ``[start, end]`` (``adjusted=true``; with ``unadjusted``
  the split ticker also ``adjusted=false``);
* per ticker, Polygon news published on or after ``start`` (pages of ``NEWS_LIMIT`` joined by
  ``next_url``/``cursor``), some articles with ``insights`` (per-ticker sentiment), some in the older
  schema without, one market-wrap article with no tickers in the first ticker's feed;
* per ticker, Benzinga analyst ratings dated ``start``..``end`` (one page of ``RATINGS_PAGESIZE``);
* Polygon ``/v3/reference/splits`` (the split below, and one of a ticker outside the universe) and
  ``/v3/reference/dividends`` (quarterly cash dividends of every third ticker);
* for the run window ``[window_start, end]`` (default: the last week): per ticker the same three
  documents from ``window_start`` (what a re-run asks once the history is stored), and per calendar day
  Polygon grouped daily (every traded ticker; empty on weekends and NYSE holidays, as the live API).

The market and sentiment assets ask, per ticker, from the history start of their run window when the
warehouse holds nothing (:attr:`RunWindow.history_start`), else from the window's start:
:func:`sample_start` gives that history start, so a run over the window finds every document it asks for.

Prices: a geometric random walk per ticker, one market factor times a beta plus idiosyncratic noise
(daily vol ~0.6-5 %), starting at the universe's ``base_price``; open/high/low/close/vwap are
consistent (low <= open, close <= high; vwap inside the range), volume follows shares outstanding
times a turnover and rises on big moves. Company 1 splits (2:1, or 4:1 above $150) 60 % into the
window: ``adjusted=true`` payloads are split-adjusted like Polygon's, ``adjusted=false`` shows the
jump. Company 2 is halted for 3 sessions 35 % into the window and reopens 18 % lower: its bars are
missing on those days (per-ticker and grouped), the gap shows on reopening. News tone follows the
day's return; ratings come from real brokers' own vocabularies with targets around the price.

Deterministic for a seed: a ticker's prices depend only on (seed, company index, window), so the
first ``k`` companies of a larger run have the same prices as a run over ``k`` companies.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import random
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from valuation_platform.analytics.sentiment.ratings import rating_to_numeric
from valuation_platform.generator.universe import Company, us_companies
from valuation_platform.pipelines.market.window import RunWindow
from valuation_platform.sources.benzinga.ratings import RATINGS_PAGESIZE, ratings_request
from valuation_platform.sources.http import mirror_relpath
from valuation_platform.sources.market_calendar import (
    feed_start,
    next_trading_day_on_or_after,
    us_trading_days,
)
from valuation_platform.sources.polygon.aggregates import daily_aggs_request, grouped_daily_request
from valuation_platform.sources.polygon.corporate_actions import dividends_request, splits_request
from valuation_platform.sources.polygon.news import NEWS_LIMIT, NEWS_URL, news_request

try:  # orjson is several times faster on millions of bars; plain json gives the same payloads
    import orjson

    def _dumps(obj: Any) -> bytes:
        return orjson.dumps(obj)

except ImportError:  # pragma: no cover - depends on the environment

    def _dumps(obj: Any) -> bytes:
        return json.dumps(obj, separators=(",", ":")).encode()


NEW_YORK = ZoneInfo("America/New_York")
SPLIT_COMPANY, HALT_COMPANY, HOT_NEWS_COMPANY = 1, 2, 0
HALT_SESSIONS, HALT_GAP = 3, 0.82
MIN_DAYS_FOR_EVENTS = 20
MARKET_STREAM = 1_000_003  # rng stream ids, so no company index collides with them


# -- prices --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SplitEvent:
    ticker: str
    day: date  # first session priced after the split
    ratio: int  # new shares per old share


@dataclass(frozen=True)
class HaltEvent:
    ticker: str
    first_day: date  # first session without a bar
    last_day: date
    resume_day: date
    gap: float  # resume-day close relative to the pre-halt close, before that day's market move


@dataclass
class MarketPaths:
    """Adjusted bars (as ``adjusted=true`` serves them) for tickers x days; NaN where not traded."""

    tickers: list[str]
    days: list[date]
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    vwap: np.ndarray
    volume: np.ndarray
    transactions: np.ndarray  # int64, 0 where not traded
    traded: np.ndarray  # bool
    returns_z: np.ndarray  # the day's idiosyncratic shock in sigmas, drives news tone
    split: SplitEvent | None = None
    halt: HaltEvent | None = None
    # The split ticker's unadjusted bars: row -> (open, high, low, close, vwap, volume)
    unadjusted: dict[int, tuple[np.ndarray, ...]] = field(default_factory=dict)


def _tick_round(prices: np.ndarray) -> np.ndarray:
    """Cents above $1, 1/100 cent below (US tick sizes)."""
    return np.where(prices >= 1.0, np.round(prices, 2), np.round(prices, 4))


def planned_split(companies: Sequence[Company], days: Sequence[date]) -> SplitEvent | None:
    """The split :func:`simulate_market` puts in ``days``: company SPLIT_COMPANY, 60 % into the window, 2:1
    (4:1 above $150). The SEC generator reads it too, so filings after it report post-split shares."""
    if len(days) < MIN_DAYS_FOR_EVENTS or len(companies) <= SPLIT_COMPANY:
        return None
    company = companies[SPLIT_COMPANY]
    return SplitEvent(company.ticker, days[int(len(days) * 0.6)], 4 if company.base_price > 150 else 2)


def simulate_market(companies: Sequence[Company], days: Sequence[date], seed: int = 13) -> MarketPaths:
    """Daily bars for every company over ``days`` (trading days, ascending)."""
    n, t = len(companies), len(days)
    market = np.random.default_rng([seed, MARKET_STREAM]).normal(0.0003, 0.009, t)
    shape = (n, t)
    arrays = {k: np.full(shape, np.nan) for k in ("open", "high", "low", "close", "vwap", "volume")}
    transactions = np.zeros(shape, dtype=np.int64)
    traded = np.ones(shape, dtype=bool)
    returns_z = np.zeros(shape)
    events = t >= MIN_DAYS_FOR_EVENTS
    planned = planned_split(companies, days)
    split_at = days.index(planned.day) if planned else None
    halt_at = int(t * 0.35) if events and n > HALT_COMPANY else None
    split = halt = None
    unadjusted: dict[int, tuple[np.ndarray, ...]] = {}

    for i, company in enumerate(companies):
        rng = np.random.default_rng([seed, company.index])
        sigma = float(np.clip(rng.lognormal(np.log(0.016), 0.35), 0.006, 0.05))
        beta = rng.uniform(0.6, 1.5)
        drift = rng.normal(0.0, 0.0004)
        turnover = float(np.clip(rng.lognormal(np.log(0.006), 0.5), 0.001, 0.03))
        trade_size = rng.lognormal(np.log(110.0), 0.3)
        z = rng.standard_normal(t)
        log_r = drift + beta * market + sigma * z
        resume = None
        if i == HALT_COMPANY and halt_at is not None:
            resume = halt_at + HALT_SESSIONS
            log_r[resume] += np.log(HALT_GAP)
            traded[i, halt_at:resume] = False
        econ = company.base_price * np.exp(np.cumsum(log_r))  # in pre-split share units
        prev = np.concatenate(([company.base_price], econ[:-1]))
        open_ = prev * np.exp(rng.normal(0.0, 0.35 * sigma, t))
        if resume is not None:  # reopens near where it will close: the gap is overnight
            open_[resume] = econ[resume] * np.exp(rng.normal(0.0, 0.2 * sigma))
        high = np.maximum(open_, econ) * np.exp(np.abs(rng.normal(0.0, 0.6 * sigma, t)))
        low = np.minimum(open_, econ) * np.exp(-np.abs(rng.normal(0.0, 0.6 * sigma, t)))
        volume = (
            company.shares_outstanding * turnover * np.exp(rng.normal(0.0, 0.3, t)) * (1 + 0.6 * np.abs(z))
        )
        n_trades = volume / trade_size * np.exp(rng.normal(0.0, 0.08, t))

        factor = np.ones(t)  # raw price = economic price / factor
        if i == SPLIT_COMPANY and planned is not None:
            factor[split_at:] = planned.ratio
            split = planned
        raw = [_tick_round(p / factor) for p in (open_, high, low, econ)]
        raw_vwap = np.round((raw[0] + raw[1] + raw[2] + 2 * raw[3]) / 5, 4)
        raw_volume = np.round(volume * factor)
        adjust = factor / factor[-1]  # Polygon adjusts history to today's share count
        adjusted = [np.round(p * adjust, 4) for p in (*raw, raw_vwap)]
        for key, values in zip(("open", "high", "low", "close", "vwap"), adjusted, strict=True):
            arrays[key][i] = values
        arrays["volume"][i] = np.round(raw_volume / adjust, 2)
        transactions[i] = np.maximum(1, np.round(n_trades)).astype(np.int64)
        returns_z[i] = z
        if i == SPLIT_COMPANY and split is not None:
            unadjusted[i] = (*raw, raw_vwap, raw_volume)
        if resume is not None:
            halt = HaltEvent(company.ticker, days[halt_at], days[resume - 1], days[resume], HALT_GAP)

    for values in arrays.values():
        values[~traded] = np.nan
    transactions[~traded] = 0
    return MarketPaths(
        tickers=[c.ticker for c in companies],
        days=list(days),
        transactions=transactions,
        traded=traded,
        returns_z=returns_z,
        split=split,
        halt=halt,
        unadjusted=unadjusted,
        **arrays,
    )


# -- writing helpers -----------------------------------------------------------------------------
def _request_id(relpath: str) -> str:
    return hashlib.md5(relpath.encode(), usedforsecurity=False).hexdigest()


class _Mirror:
    """Writes ``<root>/<relpath>`` files, creating each folder once (thousands of files share a few).

    With ``compress`` each file is written as ``<relpath>.gz`` (the mirror client reads it when the
    plain file is absent), which keeps a bundled sample small.
    """

    def __init__(self, root: Path, compress: bool = False) -> None:
        self.root = root
        self.compress = compress
        self._made: set[Path] = set()

    def write(self, relpath: str, payload: bytes) -> None:
        path = self.root / relpath
        if path.parent not in self._made:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._made.add(path.parent)
        if self.compress:
            path = path.with_name(path.name + ".gz")
            payload = gzip.compress(payload, compresslevel=9, mtime=0)  # mtime=0: same bytes every run
        path.write_bytes(payload)


def _ms(day: date, at: time) -> int:
    return int(datetime.combine(day, at, tzinfo=NEW_YORK).timestamp() * 1000)


def _bar(o: float, h: float, lo: float, c: float, vw: float, v: float, n: int, t: int) -> dict[str, Any]:
    return {"v": v, "vw": vw, "o": o, "c": c, "h": h, "l": lo, "t": t, "n": n}


def _write_aggs(
    root: _Mirror, paths: MarketPaths, starts: Sequence[date], end: date, *, unadjusted: bool
) -> int:
    midnight = [_ms(d, time(0)) for d in paths.days]
    cols = [getattr(paths, k).tolist() for k in ("open", "high", "low", "close", "vwap", "volume")]
    trades = paths.transactions.tolist()
    files = 0
    for i, ticker in enumerate(paths.tickers):
        o, h, lo, c, vw, v = (col[i] for col in cols)
        traded = paths.traded[i].tolist()
        bars = [
            _bar(o[j], h[j], lo[j], c[j], vw[j], v[j], trades[i][j], midnight[j])
            for j in range(len(paths.days))
            if traded[j]
        ]
        variants = [(True, start, [b for b in bars if b["t"] >= _ms(start, time(0))]) for start in starts]
        if unadjusted and i in paths.unadjusted:
            ro, rh, rl, rc, rvw, rv = (a.tolist() for a in paths.unadjusted[i])
            raw_bars = [
                _bar(ro[j], rh[j], rl[j], rc[j], rvw[j], rv[j], trades[i][j], midnight[j])
                for j in range(len(paths.days))
                if traded[j]
            ]
            variants.append((False, starts[0], raw_bars))
        for adjusted, start, series in variants:
            url, params = daily_aggs_request(ticker, start, end, adjusted=adjusted)
            rel = mirror_relpath(url, params)
            payload = {
                "ticker": ticker,
                "queryCount": len(series),
                "resultsCount": len(series),
                "adjusted": adjusted,
                "results": series,
                "status": "OK",
                "request_id": _request_id(rel),
                "count": len(series),
            }
            if not series:
                del payload["results"]
            root.write(rel, _dumps(payload))
            files += 1
    return files


def _write_grouped(root: _Mirror, paths: MarketPaths, start: date, end: date) -> int:
    cols = [getattr(paths, k) for k in ("open", "high", "low", "close", "vwap", "volume")]
    by_day = {d: j for j, d in enumerate(paths.days)}
    files = 0
    day = start
    while day <= end:
        url, params = grouped_daily_request(day)
        rel = mirror_relpath(url, params)
        j = by_day.get(day)
        results: list[dict[str, Any]] = []
        if j is not None:
            close_ms = _ms(day, time(16))  # grouped bars carry the 16:00 close time (see the real mock)
            o, h, lo, c, vw, v = (col[:, j].tolist() for col in cols)
            n = paths.transactions[:, j].tolist()
            traded = paths.traded[:, j].tolist()
            results = [
                {"T": ticker, **_bar(o[i], h[i], lo[i], c[i], vw[i], v[i], n[i], close_ms)}
                for i, ticker in enumerate(paths.tickers)
                if traded[i]
            ]
        payload: dict[str, Any] = {"queryCount": len(results), "resultsCount": len(results), "adjusted": True}
        if results:
            payload["results"] = results
        payload.update(status="OK", request_id=_request_id(rel), count=len(results))
        root.write(rel, _dumps(payload))
        files += 1
        day += timedelta(days=1)
    return files


# -- corporate actions ---------------------------------------------------------------------------
DIVIDEND_EVERY = 3  # every third company pays a quarterly cash dividend
DIVIDEND_YIELD_QUARTER = 0.004  # ~1.6 % a year of the as-traded price
OUTSIDE_SPLIT = ("ZZSPX", 10, 1)  # a 1-for-10 reverse split outside the universe: the asset filters it out


def _write_reference(root: _Mirror, request: tuple[str, dict[str, Any]], results: list[dict[str, Any]]) -> None:
    url, params = request
    rel = mirror_relpath(url, dict(sorted(params.items())))
    root.write(rel, _dumps({"results": results, "status": "OK", "request_id": _request_id(rel)}))


def _as_traded_close(paths: MarketPaths, i: int, j: int) -> float:
    return float(paths.unadjusted[i][3][j]) if i in paths.unadjusted else float(paths.close[i, j])


def _write_corporate_actions(root: _Mirror, paths: MarketPaths) -> int:
    """``/v3/reference/splits`` (the simulated split, plus one outside the universe) and
    ``/v3/reference/dividends`` (quarterly cash dividends of every DIVIDEND_EVERY-th ticker, sized on the
    as-traded close of the ex-date), in Polygon's format, oldest first."""
    splits = []
    if paths.split is not None:
        ticker, split_from, split_to = OUTSIDE_SPLIT
        outside = paths.days[len(paths.days) // 2]
        splits = [
            {"execution_date": paths.split.day.isoformat(), "id": f"E{_request_id(paths.split.ticker)}",
             "split_from": 1, "split_to": paths.split.ratio, "ticker": paths.split.ticker},
            {"execution_date": outside.isoformat(), "id": f"E{_request_id(ticker)}",
             "split_from": split_from, "split_to": split_to, "ticker": ticker},
        ]
        splits.sort(key=lambda r: (r["execution_date"], r["ticker"]))
    dividends = []
    for i, ticker in enumerate(paths.tickers):
        if i % DIVIDEND_EVERY:
            continue
        for j in range(20, len(paths.days), 63):  # about quarterly
            if not paths.traded[i, j]:
                continue
            ex = paths.days[j]
            amount = max(0.01, round(_as_traded_close(paths, i, j) * DIVIDEND_YIELD_QUARTER, 2))
            dividends.append({
                "cash_amount": amount, "currency": "USD", "declaration_date": (ex - timedelta(days=14)).isoformat(),
                "dividend_type": "CD", "ex_dividend_date": ex.isoformat(), "frequency": 4,
                "id": f"E{_request_id(f'{ticker}{ex}')}", "pay_date": (ex + timedelta(days=14)).isoformat(),
                "record_date": (ex + timedelta(days=1)).isoformat(), "ticker": ticker,
            })
    dividends.sort(key=lambda r: (r["ex_dividend_date"], r["ticker"]))
    _write_reference(root, splits_request(), splits)
    _write_reference(root, dividends_request(), dividends)
    return 2  # files: one page each (Polygon pages at 1000 records)


# -- news ----------------------------------------------------------------------------------------
PUBLISHERS = (
    ("Benzinga", "https://www.benzinga.com/", "benzinga"),
    ("The Motley Fool", "https://www.fool.com/", "the_motley_fool"),
    ("Zacks Investment Research", "https://www.zacks.com/", "zacks"),
    ("GlobeNewswire Inc.", "https://www.globenewswire.com", "globenewswire"),
    ("Investing.com", "https://www.investing.com/", "investing"),
    ("MarketWatch", "https://www.marketwatch.com/", "marketwatch"),
    ("Seeking Alpha", "https://seekingalpha.com/", "seekingalpha"),
)
AUTHORS = (
    "Sarah Chen",
    "David Wagner",
    "Priya Raman",
    "Tom Okafor",
    "Lena Fischer",
    "Marcus Hill",
    "Ana Ruiz",
)
HEADLINES = {
    "positive": (
        "{name} shares surge after quarterly results beat estimates",
        "{name} raises full-year outlook on strong demand",
        "Analysts upgrade {name} as margins improve",
        "{name} stock climbs on robust sales growth",
        "{name} wins major contract; shares rally",
    ),
    "negative": (
        "{name} shares fall after revenue misses estimates",
        "{name} warns of weak demand as orders slump",
        "{name} downgraded on margin concerns",
        "{name} stock slides as regulatory investigation widens",
        "{name} shares tumble after disappointing guidance",
    ),
    "neutral": (
        "{name} to present at upcoming investor conference",
        "{name} announces date for quarterly results",
        "{name} files annual report with the SEC",
        "What to watch in {name}'s earnings call",
        "{name} names new chief financial officer",
    ),
}
DESCRIPTIONS = {
    "positive": "{name} ({ticker}) reported results ahead of expectations, and analysts see further upside.",
    "negative": "{name} ({ticker}) disappointed investors; analysts flagged concerns about the weaker outlook.",
    "neutral": "{name} ({ticker}) shared a corporate update with investors; details were in line with plans.",
}
REASONING = {
    "positive": "The article highlights {name}'s better-than-expected performance and improving outlook.",
    "negative": "The article points to {name}'s disappointing results and weaker outlook.",
    "neutral": "The article reports routine corporate news about {name} without a clear directional view.",
}
KEYWORDS = {
    "positive": ["earnings beat", "guidance", "analyst upgrade"],
    "negative": ["earnings miss", "guidance cut", "analyst downgrade"],
    "neutral": ["corporate update", "investor relations"],
}
INSIGHTS_SHARE = 0.6  # the rest are in the older schema, without insights


def _short_name(company: Company) -> str:
    return company.name.removesuffix(" Inc.")


def _tone(z: float, rnd: random.Random) -> str:
    if z > 1.0:
        return "positive"
    if z < -1.0:
        return "negative"
    return rnd.choice(("positive", "neutral", "neutral", "negative"))


def _article(
    article_id: str,
    primary: Company,
    others: list[Company],
    tone: str,
    published: datetime,
    rnd: random.Random,
    insights: bool,
) -> dict[str, Any]:
    name = _short_name(primary)
    publisher, home, slug = rnd.choice(PUBLISHERS)
    title = rnd.choice(HEADLINES[tone]).format(name=name)
    url_slug = "-".join(title.lower().replace("'", "").replace(";", "").split())[:80]
    article: dict[str, Any] = {
        "id": article_id,
        "publisher": {
            "name": publisher,
            "homepage_url": home,
            "logo_url": f"https://s3.polygon.io/public/assets/news/logos/{slug}.svg",
            "favicon_url": f"https://s3.polygon.io/public/assets/news/favicons/{slug}.ico",
        },
        "title": title,
        "author": rnd.choice(AUTHORS),
        "published_utc": published.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "article_url": f"{home.rstrip('/')}/news/{url_slug}-{article_id[:10]}",
        "tickers": [primary.ticker, *(c.ticker for c in others)],
        "image_url": f"{home.rstrip('/')}/images/{article_id[:16]}.jpg",
        "description": DESCRIPTIONS[tone].format(name=name, ticker=primary.ticker),
        "keywords": KEYWORDS[tone],
    }
    if insights:
        article["insights"] = [
            {
                "ticker": primary.ticker,
                "sentiment": tone,
                "sentiment_reasoning": REASONING[tone].format(name=name),
            }
        ] + [
            {
                "ticker": c.ticker,
                "sentiment": "neutral",
                "sentiment_reasoning": f"{_short_name(c)} is mentioned as a peer of {name}.",
            }
            for c in others
        ]
    return article


def _news_articles(
    companies: Sequence[Company], paths: MarketPaths, start: date, end: date, seed: int
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Every article (sorted by publication time) and the market wrap that lists no tickers."""
    n_days = (end - start).days + 1
    trading = paths.days
    articles: list[dict[str, Any]] = []
    for i, company in enumerate(companies):
        rng = np.random.default_rng([seed, company.index, 2])
        rnd = random.Random(int(rng.integers(2**63)))  # scalar draws: far cheaper than numpy's
        size = company.base_price * company.shares_outstanding
        rate = 1.2 if i == HOT_NEWS_COMPANY else float(np.clip(0.02 * (size / 5e9) ** 0.35, 0.005, 0.4))
        for k in range(int(rng.poisson(rate * n_days))):
            day = start + timedelta(days=rnd.randrange(n_days))
            published = datetime.combine(day, time(rnd.randrange(11, 23), rnd.randrange(60)), tzinfo=UTC)
            j = bisect_right(trading, day) - 1  # the session the article reacts to
            tone = _tone(float(paths.returns_z[i, j]) if j >= 0 else 0.0, rnd)
            others: list[Company] = []
            if len(companies) > 1 and rnd.random() < 0.25:
                picks = rnd.sample(range(len(companies) - 1), k=min(rnd.randint(1, 3), len(companies) - 1))
                others = [companies[p + (p >= i)] for p in picks]  # skip the primary itself
            article_id = hashlib.sha256(f"{seed}:{company.ticker}:{k}".encode()).hexdigest()
            articles.append(
                _article(article_id, company, others, tone, published, rnd, rnd.random() < INSIGHTS_SHARE)
            )
    wrap = None
    if companies:  # one market wrap without tickers, served in the first ticker's feed
        untagged_id = hashlib.sha256(f"{seed}:market-wrap".encode()).hexdigest()
        wrap = {
            "id": untagged_id,
            "publisher": {"name": "MarketWatch", "homepage_url": "https://www.marketwatch.com/"},
            "title": "Stocks end mixed as investors weigh the Fed's next move",
            "author": "MarketWatch",
            "published_utc": datetime.combine(start, time(21, 5), tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "article_url": f"https://www.marketwatch.com/story/stocks-end-mixed-{untagged_id[:10]}",
            "tickers": [],
            "description": "Major indexes finished little changed in a quiet session.",
        }
    articles.sort(key=lambda a: (a["published_utc"], a["id"]))
    return articles, wrap


def _cursor(ticker: str, since: date, offset: int) -> str:
    token = f"ticker={ticker}&published_utc.gte={since.isoformat()}&offset={offset}&limit={NEWS_LIMIT}"
    return base64.urlsafe_b64encode(token.encode()).decode().rstrip("=")


def _write_news(
    root: _Mirror,
    companies: Sequence[Company],
    articles: list[dict[str, Any]],
    untagged: dict[str, Any] | None,
    starts: Sequence[date],
) -> int:
    feeds: dict[str, list[dict[str, Any]]] = {c.ticker: [] for c in companies}
    for article in articles:
        for ticker in article["tickers"]:
            feeds[ticker].append(article)
    if untagged is not None:
        first = feeds[companies[0].ticker]
        first.append(untagged)
        first.sort(key=lambda a: (a["published_utc"], a["id"]))
    return sum(_write_feed(root, ticker, feed, start) for ticker, feed in feeds.items() for start in starts)


def _write_feed(root: _Mirror, ticker: str, articles: list[dict[str, Any]], start: date) -> int:
    """One ticker's news since ``start`` (``published_utc.gte``), in pages joined by ``next_url``."""
    feed = [a for a in articles if a["published_utc"][:10] >= start.isoformat()]
    url, params = news_request(ticker, start)
    files = offset = 0
    while True:
        page = feed[offset : offset + NEWS_LIMIT]
        rel = mirror_relpath(url, params)
        payload: dict[str, Any] = {"results": page, "status": "OK", "request_id": _request_id(rel), "count": len(page)}
        offset += NEWS_LIMIT
        more = offset < len(feed)
        if more:
            cursor = _cursor(ticker, start, offset)
            payload["next_url"] = f"{NEWS_URL}?cursor={cursor}"
        root.write(rel, _dumps(payload))
        files += 1
        if not more:
            return files
        url, params = NEWS_URL, {"cursor": cursor}


# -- ratings -------------------------------------------------------------------------------------
# (firm, its rating vocabulary from most to least bullish); every word maps on the numeric scale.
FIRMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Morgan Stanley", ("Overweight", "Equal-Weight", "Underweight")),
    ("Goldman Sachs", ("Buy", "Neutral", "Sell")),
    ("JP Morgan", ("Overweight", "Neutral", "Underweight")),
    ("B of A Securities", ("Buy", "Neutral", "Underperform")),
    ("Barclays", ("Overweight", "Equal-Weight", "Underweight")),
    ("RBC Capital", ("Outperform", "Sector Perform", "Underperform")),
    ("Raymond James", ("Strong Buy", "Outperform", "Market Perform", "Underperform")),
    ("Wells Fargo", ("Overweight", "Equal-Weight", "Underweight")),
    ("Citigroup", ("Buy", "Neutral", "Sell")),
    ("Keybanc", ("Overweight", "Sector Weight", "Underweight")),
    ("Piper Sandler", ("Overweight", "Neutral", "Underweight")),
    ("Needham", ("Strong Buy", "Buy", "Hold", "Underperform")),
    ("Wedbush", ("Outperform", "Neutral", "Underperform")),
    ("Evercore ISI Group", ("Outperform", "In-Line", "Underperform")),
    ("Bernstein", ("Outperform", "Market Perform", "Underperform")),
    ("Jefferies", ("Buy", "Hold", "Underperform")),
    ("UBS", ("Buy", "Neutral", "Sell")),
    ("Deutsche Bank", ("Buy", "Hold", "Sell")),
    ("Oppenheimer", ("Outperform", "Perform", "Underperform")),
    ("Mizuho", ("Buy", "Neutral", "Underperform")),
    ("BMO Capital", ("Outperform", "Market Perform", "Underperform")),
    ("Scotiabank", ("Sector Outperform", "Sector Perform", "Sector Underperform")),
    ("HSBC", ("Buy", "Hold", "Reduce")),
    ("CFRA", ("Strong Buy", "Buy", "Hold", "Sell", "Strong Sell")),
    ("Redburn Atlantic", ("Buy", "Neutral", "Sell")),
)
FIRST_NAMES = (
    "James",
    "Wamsi",
    "Erik",
    "Samik",
    "Amit",
    "Krish",
    "Tim",
    "Angela",
    "Michael",
    "Laura",
    "Daniel",
)
LAST_NAMES = (
    "Cordwell",
    "Mohan",
    "Woodring",
    "Chatterjee",
    "Daryanani",
    "Sankar",
    "Long",
    "Moss",
    "Ng",
    "Feld",
)
EXCHANGE_CODES = {"Nasdaq": "NASDAQ", "NYSE": "NYSE", "NYSE American": "AMEX"}
UPSIDE = {5: 0.30, 4: 0.18, 3: 0.05, 2: -0.10, 1: -0.25}  # target vs price, by numeric rating


def _pt(price: float, upside: float) -> float:
    target = price * (1 + upside)
    return round(target) if target >= 20 else round(target * 2) / 2


def _ratings_for(company: Company, i: int, paths: MarketPaths, seed: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng([seed, company.index, 3])
    rnd = random.Random(int(rng.integers(2**63)))
    days = paths.days
    traded_days = [j for j in range(len(days)) if paths.traded[i, j]]
    if not traded_days:
        return []
    raw_close = paths.unadjusted[i][3] if i in paths.unadjusted else paths.close[i]
    split = paths.split if paths.split and paths.split.ticker == company.ticker else None
    size = company.base_price * company.shares_outstanding
    n_firms = int(np.clip(round(rng.lognormal(np.log(4 * max(size / 5e9, 0.05) ** 0.3), 0.4)), 1, len(FIRMS)))
    records = []
    exchange = EXCHANGE_CODES.get(company.exchange, "NYSE")
    event_counts = rng.poisson(len(days) / 100, size=n_firms)  # ~2.5 notes a year per firm
    for f, count in zip(rnd.sample(range(len(FIRMS)), n_firms), event_counts.tolist(), strict=True):
        firm, scale = FIRMS[f]
        rank = rnd.choices(range(len(scale)), weights=_rank_weights(len(scale)))[0]
        analyst = f"{rnd.choice(FIRST_NAMES)} {rnd.choice(LAST_NAMES)}"
        event_days = sorted({traded_days[rnd.randrange(len(traded_days))] for _ in range(max(1, count))})
        initiates = rnd.random() < 0.35
        prior_pt: float | None = None
        prior_rating = ""
        if not initiates:  # covered before the window: a prior view exists
            prior_rating = scale[rank]
            prior_pt = _pt(float(raw_close[traded_days[0]]), UPSIDE[_numeric(scale[rank])])
        for n, j in enumerate(event_days):
            if n > 0 or not initiates:
                rank = min(max(rank + rnd.choice((-1, 0, 0, 0, 0, 1)), 0), len(scale) - 1)
            rating = scale[rank]
            price = float(raw_close[j])
            pt = _pt(price, UPSIDE[_numeric(rating)] + rnd.gauss(0, 0.05))
            if n == 0 and initiates:
                action = "Initiates Coverage On"
            elif prior_rating and scale.index(rating) < scale.index(prior_rating):
                action = "Upgrades"
            elif prior_rating and scale.index(rating) > scale.index(prior_rating):
                action = "Downgrades"
            else:
                action = "Maintains" if rnd.random() < 0.7 else "Reiterates"
            if prior_pt is None:
                action_pt = "Announces"
            else:
                action_pt = "Raises" if pt > prior_pt else "Lowers" if pt < prior_pt else "Maintains"
            hhmmss = time(rnd.randrange(6, 17), rnd.randrange(60), rnd.randrange(60))
            stamp = datetime.combine(days[j], hhmmss, tzinfo=NEW_YORK)
            factor = 1 / split.ratio if split and days[j] < split.day else 1.0  # to today's shares
            rating_id = hashlib.sha256(f"{seed}:{company.ticker}:{firm}:{j}".encode()).hexdigest()[:24]
            records.append(
                {
                    "action_company": action,
                    "action_pt": action_pt,
                    "adjusted_pt_current": f"{pt * factor:.2f}",
                    "adjusted_pt_prior": f"{prior_pt * factor:.2f}" if prior_pt is not None else "",
                    "analyst": firm,
                    "analyst_name": analyst,
                    "currency": "USD",
                    "date": days[j].isoformat(),
                    "exchange": exchange,
                    "id": rating_id,
                    "importance": rnd.randrange(3),
                    "name": _short_name(company),
                    "notes": "",
                    "pt_current": f"{pt:.4f}",
                    "pt_prior": f"{prior_pt:.4f}" if prior_pt is not None else "",
                    "rating_current": rating,
                    "rating_prior": prior_rating,
                    "ticker": company.ticker,
                    "time": hhmmss.isoformat(),
                    "updated": int(stamp.timestamp()) + rnd.randrange(30, 900),
                    "url": f"https://www.benzinga.com/quote/{company.ticker}/analyst-ratings",
                    "url_calendar": f"https://www.benzinga.com/quote/{company.ticker}/analyst-ratings",
                    "url_news": f"https://www.benzinga.com/stock-articles/{company.ticker}/analyst-ratings",
                }
            )
            prior_rating, prior_pt = rating, pt
    records.sort(key=lambda r: (r["date"], r["time"], r["id"]), reverse=True)  # Benzinga: newest first
    return records


def _rank_weights(levels: int) -> list[float]:
    """Sell-side optimism: most coverage is bullish, little is bearish."""
    w = np.array([0.55, 0.38, 0.07]) if levels == 3 else np.linspace(1.0, 0.15, levels) ** 1.5
    return (w / w.sum()).tolist()


def _numeric(rating: str) -> int:
    value = rating_to_numeric(rating)
    if value is None:  # a FIRMS entry outside the scale: a bug in this table, not data
        raise ValueError(f"generator rating {rating!r} has no numeric mapping")
    return value


def _write_ratings(
    root: _Mirror, companies: Sequence[Company], paths: MarketPaths, starts: Sequence[date], end: date,
    seed: int,
) -> tuple[int, int]:
    files = total = 0
    for i, company in enumerate(companies):
        everything = _ratings_for(company, i, paths, seed)
        total += len(everything)
        for start in starts:
            records = [r for r in everything if r["date"] >= start.isoformat()]
            page = 0
            while True:  # the client reads until a page is shorter than pagesize
                chunk = records[page * RATINGS_PAGESIZE : (page + 1) * RATINGS_PAGESIZE]
                url, params = ratings_request(company.ticker, start, end, page=page)
                root.write(mirror_relpath(url, params), _dumps({"ratings": chunk} if chunk else []))
                files += 1
                if len(chunk) < RATINGS_PAGESIZE:
                    break
                page += 1
    return files, total


# -- entry point ---------------------------------------------------------------------------------
# The run window a generated sample serves: the week up to its as-of date (generator.mirror.WINDOW_DAYS).
SAMPLE_WINDOW_DAYS = 7


def sample_window_start(as_of: date, days: int = SAMPLE_WINDOW_DAYS) -> date:
    """First calendar day a run over the sessions of the ``days`` days up to ``as_of`` asks for."""
    return feed_start(next_trading_day_on_or_after(as_of - timedelta(days=days)))


def sample_start(as_of: date, days: int = SAMPLE_WINDOW_DAYS) -> date:
    """The ``start`` to write for a sample ending ``as_of``: where the assets' first run over that window
    begins each ticker's history (:attr:`RunWindow.history_start`)."""
    window = RunWindow(tuple(us_trading_days(sample_window_start(as_of, days), as_of)))
    return window.history_start


@dataclass(frozen=True)
class MarketMirrorSummary:
    tickers: int
    trading_days: int
    bars: int
    articles: int
    ratings: int
    files: dict[str, int]
    split: SplitEvent | None
    halt: HaltEvent | None
    untagged_article_id: str | None  # the news item without tickers (the client reports it)


def write_market_data(
    root: Path,
    companies: Sequence[Company] | int,
    start: date,
    end: date,
    *,
    seed: int = 13,
    compress: bool = False,
    window_start: date | None = None,
    unadjusted: bool = False,
) -> MarketMirrorSummary:
    """Write Polygon aggregates/grouped daily/news and Benzinga ratings for ``[start, end]`` under ``root``.

    ``window_start`` (default: the last week, :func:`sample_window_start`) starts the run window: its
    re-run documents and grouped-daily days are written too (see the module docstring). ``unadjusted``
    adds the split ticker's ``adjusted=false`` aggregates (no asset asks for them; tests compare).

    ``companies`` is a sequence from :func:`~valuation_platform.generator.universe.us_companies` or a
    count ``n`` (then ``us_companies(n)``). Clients hit these files when they ask for the same window:
    ``fetch_daily_aggs(client, ticker, start, end, key)``, ``fetch_grouped_daily(client, day, key)``
    for any day in the window, ``fetch_news(client, ticker, start, key)`` and
    ``fetch_ratings(client, ticker, start, end, token)``. ``compress`` writes every file gzipped.
    """
    if isinstance(companies, int):
        companies = us_companies(companies)
    days = us_trading_days(start, end)
    if not days:
        raise ValueError(f"no US trading day between {start} and {end}")
    window_start = max(start, window_start or sample_window_start(end))
    starts = sorted({start, window_start})
    out = _Mirror(Path(root), compress)
    paths = simulate_market(companies, days, seed)
    files = {
        "aggs": _write_aggs(out, paths, starts, end, unadjusted=unadjusted),
        "grouped_daily": _write_grouped(out, paths, window_start, end),
    }
    files["corporate_actions"] = _write_corporate_actions(out, paths)
    articles, untagged = _news_articles(companies, paths, start, end, seed)
    files["news"] = _write_news(out, companies, articles, untagged, starts)
    files["ratings"], n_ratings = _write_ratings(out, companies, paths, starts, end, seed)
    return MarketMirrorSummary(
        tickers=len(companies),
        trading_days=len(days),
        bars=int(paths.traded.sum()),
        articles=len(articles) + (untagged is not None),
        ratings=n_ratings,
        files=files,
        split=paths.split,
        halt=paths.halt,
        untagged_article_id=untagged["id"] if untagged else None,
    )
