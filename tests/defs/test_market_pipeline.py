"""End to end: generated SEC + market mirror -> Dagster assets -> Postgres -> dbt marts, for the market
(prices, technical indicators, valuation ratios) and sentiment (news, analyst ratings) domains.

Every expected value is computed here independently: TA-Lib, plain Python over the marts' rows, and the
figures straight from the mirror's source documents (companyfacts, aggregates and ratings JSON).

The normal state is read from the session's shared demo (tests/support/shared_demo.py: the whole graph
materialized once over the sample window; the bars asset fetched the history indicators need by itself,
so the warehouse holds HISTORY_SESSIONS sessions before the window). Faults (a malformed bar, an unknown
rating word, 429 storms, a split between runs) and re-runs use a scenario of their own: the shared
mirror seen through symlinks with the faulted files replaced, the Python assets of a few tickers loaded
into a small database (no dbt: how the consensus mart treats an unknown rating word is a worked example,
dbt_project/models/marts/sentiment/_sentiment__unit_tests.yml).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import os
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from statistics import mean
from zoneinfo import ZoneInfo

import dagster as dg
import numpy as np
import pytest
import talib

from tests.support.mirror_server import MirrorServer, status
from tests.support.pipeline import SAMPLE_WINDOW, env, run_pipeline
from tests.support.shared_demo import COMPANIES as SHARED_COMPANIES
from valuation_platform.analytics.market.indicators import INDICATOR_COLUMNS
from valuation_platform.cli import mirror_settings
from valuation_platform.analytics.sentiment import lexicon_score
from valuation_platform.generator.market import HALT_COMPANY, HALT_SESSIONS, SPLIT_COMPANY, sample_start
from valuation_platform.generator.universe import us_companies
from valuation_platform.lib.runner import RANGE_END_TAG, RANGE_START_TAG, StageResult
from valuation_platform.pipelines.market.window import HISTORY_SESSIONS
from valuation_platform.pipelines.report import IncompleteLoad
from valuation_platform.sources.benzinga.ratings import ratings_request
from valuation_platform.sources.http import mirror_relpath
from valuation_platform.sources.market_calendar import us_trading_days
from valuation_platform.sources.polygon.aggregates import daily_aggs_request
from valuation_platform.warehouse.connection import connect
from valuation_platform.warehouse.embedded import drop_database, ensure_database
from valuation_platform.warehouse.settings import DatabaseSettings

# Reads the shared demo: kept on one xdist worker (--dist loadgroup), which builds it once.
pytestmark = pytest.mark.xdist_group("shared_demo")
# the scenario's tests read only the shared mirror: their own group runs on the other worker during the build
SCENARIO_GROUP = pytest.mark.xdist_group("market_scenario")

AS_OF = SAMPLE_WINDOW.end
COMPANIES = us_companies(SHARED_COMPANIES)
START = sample_start(AS_OF)  # where the first run's history fetch begins
SESSIONS = us_trading_days(START, AS_OF)  # every session stored after the first run
RUN = us_trading_days(SAMPLE_WINDOW.start, AS_OF)  # the window the runner materializes
SPLIT_TICKER = COMPANIES[SPLIT_COMPANY].ticker  # the generator splits it inside the history
HALT_TICKER = COMPANIES[HALT_COMPANY].ticker  # halted for HALT_SESSIONS sessions
NEW_YORK = ZoneInfo("America/New_York")
PYTHON_ASSETS = ("polygon_daily_bars", "technical_indicators", "polygon_news", "news_sentiment",
                 "benzinga_ratings")
TABLE_OF = {"polygon_daily_bars": "raw", "technical_indicators": "analytics", "polygon_news": "raw",
            "news_sentiment": "analytics", "benzinga_ratings": "raw"}  # each asset's table is named as it

# The scenario: seven priced companies (the split, the halt, the bad bar, the 429 storms) and one
# universe company the mirror has no market data for.
SCENARIO = COMPANIES[:7]
BAD_BAR_TICKER, BAD_BAR_INDEX = COMPANIES[3].ticker, 10  # one bar loses its close: it alone is quarantined
UNKNOWN_RATING = "Speculative Hold"  # not on the numeric scale: must stay NULL and be reported
DBT_MODELS = {"marts/fct_daily_prices", "marts/fct_technical_indicators", "marts/fct_valuation_ratios",
              "marts/fct_analyst_ratings", "marts/fct_analyst_consensus", "marts/fct_news_sentiment",
              "marts/fct_news_sentiment_summary", "marts/fct_split_factors"}
CORPORATE_ACTIONS = ("polygon_splits", "polygon_dividends")


# -- the mirror's own documents: the oracles ------------------------------------------------------
def _aggs_file(root: Path, ticker: str) -> Path:
    return root / (mirror_relpath(*daily_aggs_request(ticker, START, AS_OF)) + ".gz")


def _ratings_file(root: Path, ticker: str) -> Path:
    return root / (mirror_relpath(*ratings_request(ticker, START, AS_OF)) + ".gz")


def _gz_json(path: Path) -> dict:
    return json.loads(gzip.decompress(path.read_bytes()))


def _bars(root: Path, ticker: str) -> dict[date, dict]:
    """A ticker's history bars by session ("t" is the session's midnight in New York, in ms)."""
    results = _gz_json(_aggs_file(root, ticker))["results"]
    return {datetime.fromtimestamp(b["t"] / 1000, NEW_YORK).date(): b for b in results}


def _source_json(path: Path) -> dict:
    raw = path.read_bytes() if path.exists() else gzip.decompress(path.with_name(path.name + ".gz").read_bytes())
    return json.loads(raw)


@dataclass(frozen=True)
class MirrorFacts:
    universe: list[str]  # company_tickers.json entries with a submissions document
    fetched: list[str]  # what the price asset asks for: the universe and the benchmark ETFs the mirror names
    priced: list[str]  # fetched tickers with an aggregates history
    bars: dict[str, dict[date, dict]]


@pytest.fixture(scope="module")
def facts(shared_mirror) -> MirrorFacts:
    root = shared_mirror
    listed = _source_json(root / "www.sec.gov" / "files" / "company_tickers.json").values()
    universe = sorted(
        e["ticker"] for e in listed
        if (root / "data.sec.gov" / "submissions" / f"CIK{e['cik_str']:010d}.json").exists()
        or (root / "data.sec.gov" / "submissions" / f"CIK{e['cik_str']:010d}.json.gz").exists()
    )
    benchmarks = mirror_settings(root).get("VP_BENCHMARK_TICKERS", "")
    fetched = sorted({*universe, *filter(None, benchmarks.split(","))})
    priced = [t for t in fetched if _aggs_file(root, t).exists()]
    return MirrorFacts(universe, fetched, priced, {t: _bars(root, t) for t in priced})


# -- reading the warehouse and Dagster's records ---------------------------------------------------
def query(db: DatabaseSettings, sql: str, params: tuple = ()) -> list[tuple]:
    with connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def latest_meta(instance: dg.DagsterInstance, key: str) -> dict:
    event = instance.get_latest_materialization_event(dg.AssetKey(key))
    assert event is not None, key
    return {k: v.value for k, v in event.asset_materialization.metadata.items()}


@pytest.fixture(scope="module")
def demo_meta(shared_demo) -> dict[str, dict]:
    """The shared run's materialization metadata of this domain's Python assets."""
    with shared_demo.instance() as instance:
        return {key: latest_meta(instance, key) for key in PYTHON_ASSETS}


@pytest.fixture(scope="module")
def db(shared_demo) -> DatabaseSettings:
    return shared_demo.db


# -- the shared run ----------------------------------------------------------------------------------
def test_no_asset_tells_the_runner_how_far_back_to_go() -> None:
    from valuation_platform.defs.market.assets import polygon_daily_bars, technical_indicators
    from valuation_platform.defs.sentiment.assets import benzinga_ratings, news_sentiment, polygon_news

    assets = (polygon_daily_bars, technical_indicators, polygon_news, news_sentiment, benzinga_ratings)
    assert [a.key.to_user_string() for a in assets] == list(PYTHON_ASSETS)
    for asset in assets:
        assert not any(tag.startswith("vp/") for tag in asset.specs_by_key[asset.key].tags)
    assert len(SESSIONS) == HISTORY_SESSIONS + len(RUN)


def test_every_stage_succeeds_over_the_sample_history(shared_demo, demo_meta, facts) -> None:
    ours = {*PYTHON_ASSETS, *DBT_MODELS, *CORPORATE_ACTIONS}
    stages = [s for s in shared_demo.stages if set(s.assets) & ours]
    assert ours <= {a for s in stages for a in s.materialized}, stages
    assert not [s for s in stages if set(s.failed) & ours or set(s.skipped) & ours], stages
    assert any(f"{len(RUN)} partitions {RUN[0]}..{RUN[-1]}" in s.partitions and "polygon_daily_bars" in s.assets
               for s in stages)
    meta = demo_meta["polygon_daily_bars"]
    # an empty warehouse: every universe ticker gets its history, one ranged request each
    assert meta["endpoint"] == "ranged" and meta["history_from"] == START.isoformat()
    assert meta["tickers_given_history"] == meta["requests"] == len(facts.fetched)
    # the run wrote every bar of the mirror's histories, each under its own session key
    per_session = Counter(day.isoformat() for bars in facts.bars.values() for day in bars)
    assert meta["dagster/row_count"] == sum(per_session.values())
    assert meta["rows_by_partition"] == dict(per_session) and len(per_session) == len(SESSIONS)
    assert meta["not_in_mirror"] == ", ".join(sorted(set(facts.fetched) - set(facts.priced)))


def test_prices_are_the_documents_bars_with_the_halt_gap_and_the_split_adjusted(db, facts) -> None:
    rows = query(db, "select ticker, trade_date, open, high, low, close, volume from marts.fct_daily_prices")
    stored: dict[str, dict[date, tuple]] = {}
    for ticker, day, *values in rows:
        stored.setdefault(ticker, {})[day] = tuple(values)
    assert sorted(stored) == facts.priced
    for ticker, bars in facts.bars.items():
        assert stored[ticker] == {d: (b["o"], b["h"], b["l"], b["c"], b["v"]) for d, b in bars.items()}, ticker
    assert len(stored[HALT_TICKER]) == len(SESSIONS) - HALT_SESSIONS  # halted for three sessions
    assert all(len(stored[t]) == len(SESSIONS) for t in facts.priced if t != HALT_TICKER)
    # the split is adjusted away: no daily move near the 2:1 factor in the split ticker's series
    closes = [stored[SPLIT_TICKER][d][3] for d in sorted(stored[SPLIT_TICKER])]
    assert max(abs(math.log(b / a)) for a, b in zip(closes, closes[1:], strict=False)) < math.log(1.3)


def test_only_the_untagged_article_is_quarantined(db, demo_meta) -> None:
    rows = query(db, "select asset_key, document, field, reason from raw.quarantine"
                     " where asset_key in ('polygon_daily_bars', 'polygon_news', 'benzinga_ratings')")
    assert [r[0] for r in rows] == ["polygon_news"]  # the market wrap that lists no tickers
    _, document, field, reason = rows[0]
    assert "/v2/reference/news" in document and field.endswith(".tickers") and "lists no tickers" in reason
    assert demo_meta["polygon_news"]["documents_quarantined"] == 1
    assert demo_meta["benzinga_ratings"]["unknown_rating_count"] == 0


# -- indicators ------------------------------------------------------------------------------------
def test_indicators_equal_talib_on_the_marts_own_prices(db, facts) -> None:
    for ticker in facts.priced:  # the split and the halted series included
        prices = query(db, "select trade_date, close, volume from marts.fct_daily_prices where ticker = %s"
                           " order by trade_date", (ticker,))
        close = np.array([p[1] for p in prices])
        volume = np.array([p[2] for p in prices])
        mart = query(db, f"select trade_date, {', '.join(INDICATOR_COLUMNS)} from marts.fct_technical_indicators"
                         " where ticker = %s order by trade_date", (ticker,))
        assert [r[0] for r in mart] == RUN, ticker  # indicators of the run's sessions, over the fetched history
        at = [[p[0] for p in prices].index(day) for day in RUN]
        ours = {c: np.array([r[i + 1] for r in mart], dtype=float) for i, c in enumerate(INDICATOR_COLUMNS)}
        macd, signal, hist = talib.MACD(close, 12, 26, 9)
        upper, middle, lower = talib.BBANDS(close, 20, 2.0, 2.0, 0)
        expected = {
            "rsi_14": talib.RSI(close, 14), "macd": macd, "macd_signal": signal, "macd_hist": hist,
            "sma_50": talib.SMA(close, 50), "sma_200": talib.SMA(close, 200), "ema_12": talib.EMA(close, 12),
            "ema_26": talib.EMA(close, 26), "bb_upper": upper, "bb_middle": middle, "bb_lower": lower,
            "volume_sma_20": talib.SMA(volume, 20), "return_1m": talib.ROCP(close, 21),
            "return_3m": talib.ROCP(close, 63), "return_6m": talib.ROCP(close, 126),
            "return_12m": talib.ROCP(close, 252),
        }
        assert set(expected) == set(INDICATOR_COLUMNS)
        for column, theirs in expected.items():
            # every value of the run's sessions is out of its warm-up (SMA200 and the 12-month return included)
            assert not np.isnan(ours[column]).any(), (ticker, column)
            np.testing.assert_allclose(ours[column], theirs[at], rtol=1e-9, atol=1e-9, err_msg=f"{ticker} {column}")


# -- valuation ratios ------------------------------------------------------------------------------
def _annual_figures(facts: dict) -> dict[str, tuple[float, date, float, float, date]]:
    """Per fiscal-year end, from a companyfacts document: (diluted EPS, the day that EPS became public,
    revenue, equity, filed). Each value is the one of the latest filing that reports it (a restating 10-K
    wins; later 10-Ks repeat prior years as comparatives, restated after a split), public since the first
    filing that gave that value; filed = when the last of them became public."""
    def latest(concept: str, end: str, annual: bool) -> tuple[float, date] | None:
        units = facts["facts"]["us-gaap"].get(concept, {}).get("units", {})
        found = [
            f for values in units.values() for f in values
            if f["end"] == end and (not annual or (date.fromisoformat(f["end"]) - date.fromisoformat(f["start"])).days > 350)
        ]
        if not found:
            return None
        value = max(found, key=lambda f: f["filed"])["val"]
        return float(value), date.fromisoformat(min(f["filed"] for f in found if f["val"] == value))

    years = {}
    eps_facts = facts["facts"]["us-gaap"]["EarningsPerShareDiluted"]["units"]["USD/shares"]
    for end in {f["end"] for f in eps_facts if f["form"] == "10-K"}:
        eps = latest("EarningsPerShareDiluted", end, annual=True)
        revenue = latest("Revenues", end, annual=True) or latest(
            "RevenueFromContractWithCustomerExcludingAssessedTax", end, annual=True)
        equity = latest("StockholdersEquity", end, annual=False)
        if eps and revenue and equity:
            years[end] = (eps[0], eps[1], revenue[0], equity[0], max(eps[1], revenue[1], equity[1]))
    return years


def _split_factors(mirror: Path) -> dict[str, tuple[date, float]]:
    """Ticker -> (execution day, new shares per old share), from the mirror's /v3/reference/splits page."""
    page = _source_json(mirror / "api.polygon.io" / "v3" / "reference" / "splits?limit=1000&order=asc&sort=execution_date")
    return {r["ticker"]: (date.fromisoformat(r["execution_date"]), r["split_to"] / r["split_from"])
            for r in page["results"]}


def test_valuation_ratios_match_the_source_documents(shared_demo, db, facts) -> None:
    """P/E, P/B, P/S and market cap on the first session a 10-K's numbers were all public, from the
    companyfacts, aggregates and splits JSON the generator wrote, on the session's own share basis: the
    stored close is adjusted to today's shares, EPS is in the shares of the day it was filed, the cover-page
    count in the shares of its date. No SQL: only the files. The split company's filings after its split
    report post-split shares, so its rows cross the split."""
    rows = {
        (r[0], r[1]): r[2:]
        for r in query(db, "select ticker, trade_date, fiscal_period, period_end, close, eps_ttm, shares_outstanding,"
                           " market_cap, pe_ratio, pb_ratio, ps_ratio from marts.fct_valuation_ratios")
    }
    splits = _split_factors(shared_demo.mirror)
    assert COMPANIES[SPLIT_COMPANY].ticker in splits
    checked = 0
    for company in COMPANIES:
        split_day, ratio = splits.get(company.ticker, (date.max, 1.0))

        def factor(day: date) -> float:
            return ratio if day >= split_day else 1.0  # noqa: B023 - used inside this iteration only

        document = shared_demo.mirror / "data.sec.gov" / "api" / "xbrl" / "companyfacts" / f"CIK{company.cik10}.json"
        companyfacts = _source_json(document)
        adjusted = {day: bar["c"] for day, bar in facts.bars[company.ticker].items()}
        shares = companyfacts["facts"]["dei"]["EntityCommonStockSharesOutstanding"]["units"]["shares"]
        for end, (eps, eps_filed, revenue, equity, filed) in _annual_figures(companyfacts).items():
            days = sorted(d for d in adjusted if d >= filed)
            if not days or days[0] > filed + timedelta(days=7):
                continue
            day = days[0]
            close = adjusted[day] * factor(AS_OF) / factor(day)  # as traded that day
            eps_day = eps * factor(eps_filed) / factor(day)
            known = max((s for s in shares if date.fromisoformat(s["filed"]) <= day),
                        key=lambda s: (s["filed"], s["end"]))
            count = known["val"] * factor(day) / factor(date.fromisoformat(known["end"]))
            cap = close * count
            period, period_end, mart_close, mart_eps, mart_shares, mart_cap, pe, pb, ps = rows[(company.ticker, day)]
            assert (period, period_end.isoformat()) == ("FY", end), (company.ticker, day)
            assert mart_close == pytest.approx(close, rel=1e-12)
            assert mart_eps == pytest.approx(eps_day, rel=1e-12)
            assert mart_shares == pytest.approx(count, rel=1e-12)
            assert mart_cap == pytest.approx(cap, rel=1e-12)
            assert pe == (pytest.approx(close / eps_day, rel=1e-12) if eps_day > 0 else None)
            assert pb == (pytest.approx(cap / equity, rel=1e-12) if equity > 0 else None)
            assert ps == pytest.approx(cap / revenue, rel=1e-12)
            checked += 1
    assert checked >= len(COMPANIES)  # every company filed a 10-K inside the stored price history


def test_corporate_actions_of_the_universe_land_as_listed(shared_demo, db, facts) -> None:
    """Splits and dividends as the mirror's reference pages list them, for universe tickers only (the
    generator's reverse split of ZZSPX, outside the universe, is dropped); the split factor follows."""
    reference = shared_demo.mirror / "api.polygon.io" / "v3" / "reference"
    splits = _source_json(reference / "splits?limit=1000&order=asc&sort=execution_date")["results"]
    dividends = _source_json(reference / "dividends?limit=1000&order=asc&sort=ex_dividend_date")["results"]
    universe = set(facts.universe)
    assert query(db, "select ticker, execution_date::text, split_from, split_to from raw.polygon_splits"
                     " order by execution_date, ticker") == [
        (r["ticker"], r["execution_date"], r["split_from"], r["split_to"]) for r in splits if r["ticker"] in universe]
    assert "ZZSPX" in {r["ticker"] for r in splits} and "ZZSPX" not in universe
    stored = query(db, "select ticker, ex_dividend_date::text, cash_amount from raw.polygon_dividends"
                       " order by ex_dividend_date, ticker")
    assert stored == [(r["ticker"], r["ex_dividend_date"], r["cash_amount"]) for r in dividends] and stored
    ticker = COMPANIES[SPLIT_COMPANY].ticker
    (split,) = [r for r in splits if r["ticker"] == ticker]
    assert query(db, "select valid_from::text, cumulative_factor from marts.fct_split_factors where ticker = %s"
                     " order by valid_from", (ticker,)) == [("0001-01-01", 1.0),
                                                           (split["execution_date"], split["split_to"] / split["split_from"])]


def test_valuation_ratios_are_continuous_across_the_generated_split(shared_demo, db) -> None:
    """The split company's market cap moves with the as-traded close across its split, not by the ratio."""
    split_day, ratio = _split_factors(shared_demo.mirror)[COMPANIES[SPLIT_COMPANY].ticker]
    rows = query(db, "select trade_date, close, market_cap, split_factor, fiscal_year, fiscal_period"
                     " from marts.fct_valuation_ratios where ticker = %s and trade_date between %s and %s"
                     " order by trade_date", (COMPANIES[SPLIT_COMPANY].ticker, split_day - timedelta(days=7), split_day))
    before, after = rows[-2], rows[-1]
    assert after[0] == split_day and (before[3], after[3]) == (1.0, ratio)
    assert after[1] < before[1] / (ratio * 0.7)  # the as-traded price shows the split
    if before[4:] == after[4:]:  # same known period: the cap moves only with the price
        assert after[2] / before[2] == pytest.approx(after[1] * ratio / before[1], rel=1e-12)


# -- ratings and news ------------------------------------------------------------------------------
def test_consensus_is_a_plain_average_of_each_firms_latest_rating(shared_demo, db, facts) -> None:
    """On the latest session and on one 100 sessions earlier: each firm's latest rating dated by that day
    and within 365 days, the latest close on or before it. The mirror has no unknown rating word; how one
    counts (for its target only) is the worked example in _sentiment__unit_tests.yml."""
    columns = "rating_id, ticker, rating_date, firm, rating, rating_numeric, price_target, adjusted_price_target"
    stored = query(db, f"select {columns} from raw.benzinga_ratings order by rating_id")
    assert stored and query(db, f"select {columns} from marts.fct_analyst_ratings order by rating_id") == stored
    ratings = query(db, "select ticker, firm, rating_date, rating_id, rating_numeric,"
                        " coalesce(adjusted_price_target, price_target) from marts.fct_analyst_ratings")
    prices = query(db, "select ticker, trade_date, close from marts.fct_daily_prices order by trade_date")
    (latest_session,) = query(db, "select max(as_of_date) from marts.fct_analyst_consensus")[0]
    assert latest_session == AS_OF
    covered = {t for t in facts.priced if t in facts.universe and _gz_json(_ratings_file(shared_demo.mirror, t))["ratings"]}
    for as_of in (AS_OF, SESSIONS[-100]):
        latest: dict[tuple[str, str], tuple] = {}
        for r in sorted(ratings, key=lambda r: (r[2], r[3])):
            if as_of - timedelta(days=365) < r[2] <= as_of:
                latest[(r[0], r[1])] = r
        last_close = {t: c for t, d, c in prices if d <= as_of}  # ascending: the last one wins
        sql = ("select ticker, firms, rating_count, mean_rating, mean_price_target, target_upside"
               " from marts.fct_analyst_consensus where as_of_date = %s")
        consensus = {r[0]: r[1:] for r in query(db, sql, (as_of,))}
        assert set(consensus) == {t for t, _ in latest}
        if as_of == AS_OF:  # every priced ticker with coverage in the mirror's ratings documents, and only those
            assert set(consensus) == covered
        for ticker, (firms, rating_count, mean_rating, mean_target, upside) in consensus.items():
            views = [v for (t, _), v in latest.items() if t == ticker]
            known = [v[4] for v in views if v[4] is not None]
            assert firms == len(views) and rating_count == len(known)
            assert mean_rating == (pytest.approx(mean(known), rel=1e-12) if known else None)
            assert mean_target == pytest.approx(mean(v[5] for v in views), rel=1e-12)
            assert upside == pytest.approx(mean_target / last_close[ticker] - 1, rel=1e-12)


def test_sentiment_windows_are_plain_averages(db) -> None:
    """On the latest session and on one 20 sessions earlier: only news published by that day counts."""
    sql = "select ticker, published_date, trade_date, sentiment_score from marts.fct_news_sentiment"
    rows = query(db, sql)
    assert max(r[2] for r in rows) == SESSIONS[-1]
    for as_of in (SESSIONS[-1], SESSIONS[-20]):
        sql = ("select ticker, articles_7d, avg_sentiment_7d, articles_30d, avg_sentiment_30d"
               " from marts.fct_news_sentiment_summary where as_of_date = %s")
        summary = {r[0]: r[1:] for r in query(db, sql, (as_of,))}
        assert set(summary) == {r[0] for r in rows if r[1] <= as_of}
        for ticker, (n7, avg7, n30, avg30) in summary.items():
            for n, avg, days in ((n7, avg7, 7), (n30, avg30, 30)):
                first = as_of - timedelta(days=days - 1)
                scores = [r[3] for r in rows if r[0] == ticker and first <= r[1] <= as_of]
                assert n == len(scores)
                assert avg == (pytest.approx(mean(scores), rel=1e-12) if scores else None)
        assert sum(s[0] for s in summary.values()) > 0


def test_scores_follow_provider_labels_else_the_lexicon(db) -> None:
    rows = query(db, "select n.title, n.description, n.provider_sentiment, s.sentiment_score, s.scorer"
                     " from raw.polygon_news n join analytics.news_sentiment s using (article_id, ticker)")
    provider = [r for r in rows if r[4] == "provider"]
    lexicon = [r for r in rows if r[4] == "lexicon"]
    assert provider and lexicon and len(provider) + len(lexicon) == len(rows)  # no FinBERT configured
    assert all(r[3] == {"positive": 1.0, "neutral": 0.0, "negative": -1.0}[r[2]] for r in provider)
    assert all(r[3] == lexicon_score(f"{r[0]}. {r[1]}").score for r in lexicon)


# -- a scenario of its own: faults, re-runs, splits, storms ----------------------------------------
@dataclass
class Scenario:
    mirror: Path
    db: DatabaseSettings
    instance: dg.DagsterInstance
    tickers: list[str]  # VP_TICKERS: the priced SCENARIO companies and one without market data
    stages: list[StageResult]


def _replace(path: Path, payload: dict) -> None:
    """Swap one symlinked mirror file for a faulted copy (the shared mirror itself stays untouched)."""
    path.unlink()
    path.write_bytes(gzip.compress(json.dumps(payload).encode()))


@pytest.fixture(scope="module")
def scenario(shared_mirror, facts, pg_admin, tmp_path_factory) -> Iterator[Scenario]:
    root = tmp_path_factory.mktemp("market_mirror")
    shutil.copytree(shared_mirror, root, copy_function=os.symlink, dirs_exist_ok=True)
    bars = _gz_json(_aggs_file(root, BAD_BAR_TICKER))
    del bars["results"][BAD_BAR_INDEX]["c"]
    _replace(_aggs_file(root, BAD_BAR_TICKER), bars)
    ratings = _gz_json(_ratings_file(root, COMPANIES[0].ticker))
    ratings["ratings"][0]["rating_current"] = UNKNOWN_RATING  # the newest rating: Benzinga sends newest first
    _replace(_ratings_file(root, COMPANIES[0].ticker), ratings)

    name = f"vpt_market_{hashlib.sha1(str(tmp_path_factory.getbasetemp()).encode()).hexdigest()[:10]}"  # per session
    drop_database(pg_admin, name)
    ensure_database(pg_admin, name)
    db = pg_admin.with_dbname(name)
    unpriced = sorted(set(facts.universe) - set(facts.priced))[0]
    tickers = [c.ticker for c in SCENARIO] + [unpriced]
    # Dagster's own bookkeeping in memory: five assets x 306 session partitions write ~3,000 events per
    # run, several times faster than on disk
    instance = dg.DagsterInstance.ephemeral()
    # the scenario's own tickers only: no benchmark ETFs (the shared demo covers those)
    stages = run_pipeline(root, db, instance, tickers=",".join(tickers),
                          select_keys={"sec_company_tickers", "us_universe", *PYTHON_ASSETS},
                          extra_env={"VP_BENCHMARK_TICKERS": None})
    yield Scenario(root, db, instance, tickers, stages)
    instance.dispose()
    drop_database(pg_admin, name)


@SCENARIO_GROUP
def test_a_bad_bar_is_quarantined_alone_and_the_rest_lands(scenario, facts) -> None:
    assert scenario.stages and all(stage.success for stage in scenario.stages), scenario.stages
    rows = query(scenario.db, "select document, field, reason, excerpt from raw.quarantine"
                              " where asset_key = 'polygon_daily_bars'")
    assert len(rows) == 1
    document, field, reason, excerpt = rows[0]
    assert document.endswith(f"#results[{BAD_BAR_INDEX}]") and f"/ticker/{BAD_BAR_TICKER}/" in document
    assert field == f"results[{BAD_BAR_INDEX}].c" and "has no 'c' (close)" in reason
    assert "c" not in json.loads(excerpt) and json.loads(excerpt)["o"] > 0  # the bar itself is kept
    landed = dict(query(scenario.db, "select ticker, count(*) from raw.polygon_daily_bars group by ticker"))
    expected = {c.ticker: len(facts.bars[c.ticker]) for c in SCENARIO}
    expected[BAD_BAR_TICKER] -= 1
    assert landed == expected
    meta = latest_meta(scenario.instance, "polygon_daily_bars")
    assert meta["dagster/row_count"] == sum(expected.values()) and meta["requests"] == len(scenario.tickers)


@SCENARIO_GROUP
def test_unknown_rating_words_stay_null_and_are_reported(scenario) -> None:
    meta = latest_meta(scenario.instance, "benzinga_ratings")
    assert meta["unknown_rating_strings"] == UNKNOWN_RATING and meta["unknown_rating_count"] == 1
    # the word is kept, its number stays NULL (the marts pass both on as stored: see the consensus test)
    sql = "select ticker, price_target is not null, rating_numeric from raw.benzinga_ratings where rating = %s"
    assert query(scenario.db, sql, (UNKNOWN_RATING,)) == [(COMPANIES[0].ticker, True, None)]


def counts(db: DatabaseSettings) -> dict[str, int]:
    tables = query(db, "select table_schema || '.' || table_name from information_schema.tables"
                       " where table_schema in ('raw', 'analytics', 'marts') and table_type = 'BASE TABLE'")
    return {t: query(db, f"select count(*) from {t}")[0][0] for (t,) in tables}


@SCENARIO_GROUP
def test_rerun_is_idempotent(scenario) -> None:
    before = counts(scenario.db)
    # every load again over the run's sessions (the marts are rebuilt from these tables by dbt)
    again = run_pipeline(scenario.mirror, scenario.db, scenario.instance, tickers=",".join(scenario.tickers),
                         select_keys=set(PYTHON_ASSETS), extra_env={"VP_BENCHMARK_TICKERS": None})
    assert len(again) == 1 and again[0].success
    assert counts(scenario.db) == before
    for key in PYTHON_ASSETS:
        meta = latest_meta(scenario.instance, key)
        # history is stored now: the re-run asks for the run's own sessions only, and rewrites them unchanged
        owned = query(scenario.db, f"select count(*) from {TABLE_OF[key]}.{key} where trade_date between %s and %s",
                      (RUN[0], RUN[-1]))[0][0]
        assert meta["dagster/row_count"] == meta[f"{key}/rows_in"] == owned, key
        assert meta[f"{key}/inserted"] == meta[f"{key}/updated"] == 0, key
    assert latest_meta(scenario.instance, "polygon_daily_bars")["rows_by_partition"] == {
        day.isoformat(): len(SCENARIO) for day in RUN}


@pytest.fixture(scope="module")
def materialize_range(scenario):
    """One asset over a session range, with the same definitions and resources the pipeline uses."""
    from valuation_platform.definitions import build_defs

    settings = {"VP_SOURCE_ROOT": str(scenario.mirror), "VP_DATABASE_URL": scenario.db.url,
                "VP_TICKERS": ",".join(scenario.tickers)}
    with env(settings):
        defs = build_defs()

    def run(key: str, start: date, end: date) -> dg.ExecuteInProcessResult:
        with env(settings):  # resources resolve their EnvVars when the run starts
            return dg.materialize(
                [*defs.assets, *defs.asset_checks],
                selection=dg.AssetSelection.assets(key),
                instance=scenario.instance,
                resources=dict(defs.resources),
                tags={RANGE_START_TAG: start.isoformat(), RANGE_END_TAG: end.isoformat()},
                raise_on_error=False,
            )

    return run


@SCENARIO_GROUP
def test_grouped_daily_gives_the_same_bars(scenario, materialize_range) -> None:
    result = materialize_range("polygon_daily_bars", SESSIONS[-5], SESSIONS[-1])
    assert result.success
    meta = latest_meta(scenario.instance, "polygon_daily_bars")
    # history stored: the priced tickers take 5 grouped calls (5 sessions < 7 tickers); the one without
    # prices still asks for its history (a ranged call) and the mirror has none
    assert meta["endpoint"] == "grouped" and meta["requests"] == 5 + 1 and meta["tickers_given_history"] == 1
    assert meta["polygon_daily_bars/rows_in"] == 5 * len(SCENARIO)
    assert meta["polygon_daily_bars/inserted"] == meta["polygon_daily_bars/updated"] == 0


@SCENARIO_GROUP
def test_a_split_between_runs_triggers_a_history_refetch(scenario, materialize_range) -> None:
    ticker = COMPANIES[5].ticker
    sql = "select trade_date, close from raw.polygon_daily_bars where ticker = %s order by 1"
    original = query(scenario.db, sql, (ticker,))
    with connect(scenario.db) as conn, conn.transaction():  # stored history as it was before a 2:1 split
        conn.execute("update raw.polygon_daily_bars set open = open * 2, high = high * 2, low = low * 2,"
                     " close = close * 2 where ticker = %s and trade_date < %s", (ticker, RUN[0]))
    result = materialize_range("polygon_daily_bars", RUN[0], RUN[-1])
    assert result.success
    meta = latest_meta(scenario.instance, "polygon_daily_bars")
    assert meta["endpoint"] == "grouped" and f"- {ticker}: close" in meta["split_repairs"]
    assert meta["polygon_daily_bars/updated"] == len(original) - len(RUN)  # the doubled history, restored
    assert query(scenario.db, sql, (ticker,)) == original


@SCENARIO_GROUP
def test_a_429_storm_is_retried_and_an_endless_one_fails_after_loading_the_rest(scenario) -> None:
    from valuation_platform.defs.market.assets import polygon_daily_bars
    from valuation_platform.lib.resources import SourcesResource, WarehouseResource

    storm, endless, calm = COMPANIES[0].ticker, COMPANIES[4].ticker, COMPANIES[6].ticker
    db = scenario.db
    warehouse = WarehouseResource(database_url=db.url)
    keys = dg.PartitionKeyRange(RUN[0].isoformat(), RUN[-1].isoformat())

    def context() -> dg.AssetExecutionContext:  # direct invocation: no RetryPolicy wait inside the test
        return dg.build_asset_context(partition_key_range=keys)
    with connect(db) as conn, conn.transaction():
        conn.execute("delete from raw.polygon_daily_bars where ticker = any(%s)", ([storm, calm],))
    with MirrorServer(scenario.mirror) as server:
        sources = SourcesResource(source_root=server.url, tickers=f"{storm},{endless},{calm}", max_retries=3)
        server.add_faults(f"/ticker/{storm}/", *[status(429, retry_after="0")] * 3)  # the 4th attempt works
        server.add_faults(f"/ticker/{endless}/", *[status(429, retry_after="0")] * 4)  # retries exhausted
        with pytest.raises(IncompleteLoad, match="unreachable after retries"):
            polygon_daily_bars(context(), sources=sources, warehouse=warehouse)
        assert len(server.hits(f"/ticker/{storm}/")) == 4 and len(server.hits(f"/ticker/{endless}/")) == 4
    landed = dict(query(db, "select ticker, count(*) from raw.polygon_daily_bars where ticker = any(%s)"
                            " group by ticker", ([storm, calm],)))
    assert landed == {storm: len(SESSIONS), calm: len(SESSIONS)}  # the rest landed before the failure
    sql = "select reason from raw.quarantine where asset_key = 'polygon_daily_bars' and document like %s"
    reasons = [r for (r,) in query(db, sql, (f"%/ticker/{endless}/%",))]
    assert reasons == ["gave up after 4 attempts: HTTP 429"]
    with MirrorServer(scenario.mirror) as server:  # the storm is over: a re-run loads it and clears the quarantine
        sources = SourcesResource(source_root=server.url, tickers=endless, max_retries=3)
        polygon_daily_bars(context(), sources=sources, warehouse=warehouse)
    assert not query(db, sql, (f"%/ticker/{endless}/%",))


@pytest.mark.parametrize(
    ("asset", "source", "what"),
    [("polygon_daily_bars", "polygon", "aggregates"), ("polygon_news", "polygon", "news"),
     ("benzinga_ratings", "benzinga", "ratings")],
)
@SCENARIO_GROUP
def test_a_mirror_without_the_source_fails_the_step_alone_with_one_line(
    scenario, tmp_path, asset, source, what
) -> None:
    """A mirror holding nothing of Polygon or Benzinga, for a two-ticker universe."""
    from valuation_platform.defs.market import assets as market
    from valuation_platform.defs.sentiment import assets as sentiment
    from valuation_platform.lib.resources import SourcesResource, WarehouseResource

    definition = getattr(market, asset, None) or getattr(sentiment, asset)
    tickers = f"{COMPANIES[0].ticker},{COMPANIES[1].ticker}"
    context = dg.build_asset_context(partition_key_range=dg.PartitionKeyRange(RUN[0].isoformat(), RUN[-1].isoformat()))
    warehouse = WarehouseResource(database_url=scenario.db.url)
    sources = SourcesResource(source_root=str(tmp_path), tickers=tickers)
    with pytest.raises(dg.Failure) as failure:
        definition(context, sources=sources, warehouse=warehouse)
    message = failure.value.description
    assert message.startswith(f"source {source} unavailable: the mirror holds none of the 2 {what} documents")
    assert "\n" not in message and "first: " in message
    live = SourcesResource(tickers=tickers)  # live hosts, no API key: not configured, nothing fetched
    with pytest.raises(dg.Failure, match=f"source {source} unavailable: not configured: VP_"):
        definition(context, sources=live, warehouse=warehouse)
