"""The market generator: every file the clients ask for exists, and the data is internally consistent."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from tests.support.mirror_server import MirrorServer, status
from valuation_platform.analytics.market.indicators import compute_indicators
from valuation_platform.analytics.sentiment.ratings import rating_to_numeric
from valuation_platform.generator.market import HALT_SESSIONS, sample_start, write_market_data
from valuation_platform.pipelines.market.window import HISTORY_SESSIONS, RunWindow
from valuation_platform.generator.universe import us_companies
from valuation_platform.sources.benzinga.ratings import fetch_ratings, unknown_rating_strings
from valuation_platform.sources.http import HttpClient, mirror_relpath
from valuation_platform.sources.market_calendar import us_trading_days
from valuation_platform.sources.polygon.aggregates import (
    aggs_frame,
    daily_aggs_request,
    fetch_daily_aggs,
    fetch_grouped_daily,
)
from valuation_platform.sources.polygon.news import fetch_news

START, END = date(2023, 10, 2), date(2024, 2, 29)  # 104 sessions, with holidays
WINDOW_START = date(2023, 11, 20)  # the run window: Thanksgiving and weekends inside
N = 8
KEY, TOKEN = "k", "t"


@pytest.fixture(scope="module")
def market(tmp_path_factory):
    root = tmp_path_factory.mktemp("market")
    summary = write_market_data(root, N, START, END, window_start=WINDOW_START, unadjusted=True)
    return root, summary, HttpClient(source_root=root)


@pytest.fixture(scope="module")
def bars(market) -> pl.DataFrame:
    _, _, client = market
    return aggs_frame(
        [r for c in us_companies(N) for r in fetch_daily_aggs(client, c.ticker, START, END, KEY)]
    )


def test_summary(market):
    _, summary, _ = market
    sessions = us_trading_days(START, END)
    assert summary.tickers == N and summary.trading_days == len(sessions) == 104
    assert summary.bars == N * 104 - HALT_SESSIONS
    assert summary.files["grouped_daily"] == (END - WINDOW_START).days + 1  # the run window's days only
    assert summary.files["aggs"] == 2 * N + 1  # history and window per ticker, the split ticker's unadjusted
    companies = us_companies(N)
    assert summary.split.ticker == companies[1].ticker and summary.split.day == sessions[62]
    assert (
        summary.halt.ticker == companies[2].ticker and summary.halt.resume_day == sessions[36 + HALT_SESSIONS]
    )


def test_bars_are_sane_and_start_near_base_price(market, bars):
    _, summary, _ = market
    assert (bars["low"] <= bars[["open", "close"]].min_horizontal()).all()
    assert (bars["high"] >= bars[["open", "close"]].max_horizontal()).all()
    assert ((bars["vwap"] >= bars["low"]) & (bars["vwap"] <= bars["high"])).all()
    assert (bars["volume"] > 0).all() and (bars["transactions"] >= 1).all()
    for company in us_companies(N):
        first = bars.filter(pl.col("ticker") == company.ticker)["close"][0]
        base = company.base_price / (summary.split.ratio if company.ticker == summary.split.ticker else 1)
        assert abs(math.log(first / base)) < 0.15, company.ticker


def test_every_window_session_has_grouped_and_ranged_files_matching_the_history(market, bars):
    _, summary, client = market
    in_window = bars.filter(pl.col("trade_date") >= WINDOW_START)
    grouped = aggs_frame(
        [r for d in us_trading_days(WINDOW_START, END) for r in fetch_grouped_daily(client, d, KEY)]
    )
    assert grouped.equals(in_window)
    ranged = aggs_frame(
        [r for c in us_companies(N) for r in fetch_daily_aggs(client, c.ticker, WINDOW_START, END, KEY)]
    )
    assert ranged.equals(in_window)  # what a re-run asks once the history is stored
    assert fetch_grouped_daily(client, date(2023, 11, 23), KEY) == []  # Thanksgiving: empty, as live
    assert fetch_grouped_daily(client, date(2023, 12, 2), KEY) == []  # a Saturday
    halted = fetch_grouped_daily(client, summary.halt.first_day, KEY)
    assert summary.halt.ticker not in {r["ticker"] for r in halted} and len(halted) == N - 1


def test_halt_leaves_a_gap_and_reopens_lower(market, bars):
    _, summary, _ = market
    halt = summary.halt
    series = bars.filter(pl.col("ticker") == halt.ticker)
    assert series.height == 104 - HALT_SESSIONS
    assert series.filter(pl.col("trade_date").is_between(halt.first_day, halt.last_day)).height == 0
    before = series.filter(pl.col("trade_date") < halt.first_day)["close"][-1]
    reopen = series.filter(pl.col("trade_date") == halt.resume_day)
    assert reopen["open"][0] / before < 0.92  # the 18 % shock shows as an overnight gap


def test_split_is_adjusted_away_but_visible_unadjusted(market, bars):
    _, summary, client = market
    split = summary.split
    adjusted = bars.filter(pl.col("ticker") == split.ticker)
    raw = aggs_frame(fetch_daily_aggs(client, split.ticker, START, END, KEY, adjusted=False))
    both = adjusted.join(raw, on="trade_date", suffix="_raw")
    pre = both.filter(pl.col("trade_date") < split.day)
    post = both.filter(pl.col("trade_date") >= split.day)
    np.testing.assert_allclose(pre["close_raw"] / split.ratio, pre["close"], rtol=1e-5)
    np.testing.assert_allclose(pre["volume_raw"] * split.ratio, pre["volume"], rtol=1e-6)
    assert (post["close_raw"] == post["close"]).all()
    closes = adjusted["close"].to_numpy()
    day = adjusted["trade_date"].to_list().index(split.day)
    assert abs(math.log(closes[day] / closes[day - 1])) < 0.15  # adjusted: no jump
    raw_closes = raw["close"].to_numpy()
    assert raw_closes[day - 1] / raw_closes[day] == pytest.approx(split.ratio, rel=0.15)  # raw: the jump


def test_split_and_dividends_are_listed_in_polygons_reference_format(market):
    """The reference pages name the split the bars show (and one outside the universe), and quarterly
    dividends sized on the as-traded close, read through the real client."""
    from valuation_platform.sources.polygon.corporate_actions import fetch_dividends, fetch_splits

    _, summary, client = market
    splits = fetch_splits(client, KEY)
    assert splits.rejected == [] and summary.files["corporate_actions"] == 2
    assert [(r["ticker"], r["execution_date"], r["split_from"], r["split_to"]) for r in splits.rows] == sorted(
        [(summary.split.ticker, summary.split.day, 1.0, float(summary.split.ratio)), ("ZZSPX", us_trading_days(START, END)[52], 10.0, 1.0)],
        key=lambda r: r[1])
    dividends = fetch_dividends(client, KEY)
    payers = {r["ticker"] for r in dividends.rows}
    assert dividends.rejected == [] and payers == {c.ticker for c in us_companies(N)[::3]}
    assert all(r["ex_dividend_date"] < r["pay_date"] and r["cash_amount"] > 0 for r in dividends.rows)


def test_filings_after_the_split_report_post_split_shares():
    """EPS filed on or after the split day is divided by the ratio (prior periods restated), cover-page share
    counts dated on or after it multiplied; everything filed before is unchanged."""
    from valuation_platform.generator.sec import build_company_documents

    company = us_companies(2)[1]
    day, ratio = date(2026, 5, 29), 2
    _, plain = build_company_documents(company, as_of=date(2026, 11, 20), years=2, seed=7)
    _, split = build_company_documents(company, as_of=date(2026, 11, 20), years=2, seed=7, split=(day, ratio))
    eps = [(a, b) for a, b in zip(plain["facts"]["us-gaap"]["EarningsPerShareDiluted"]["units"]["USD/shares"],
                                  split["facts"]["us-gaap"]["EarningsPerShareDiluted"]["units"]["USD/shares"], strict=True)]
    after = [(a["val"], b["val"]) for a, b in eps if date.fromisoformat(a["filed"]) >= day]
    before = [(a["val"], b["val"]) for a, b in eps if date.fromisoformat(a["filed"]) < day]
    assert after and before and all(x == y for x, y in before)
    assert all(y == pytest.approx(x / ratio, abs=0.006) for x, y in after)  # both rounded to cents
    shares = zip(plain["facts"]["dei"]["EntityCommonStockSharesOutstanding"]["units"]["shares"],
                 split["facts"]["dei"]["EntityCommonStockSharesOutstanding"]["units"]["shares"], strict=True)
    for a, b in shares:
        assert b["val"] == a["val"] * (ratio if date.fromisoformat(a["end"]) >= day else 1)


def test_indicators_run_on_the_generated_frame(bars):
    out = compute_indicators(bars)
    last = out.group_by("ticker").agg(
        pl.col("rsi_14").last(), pl.col("sma_50").last(), pl.col("return_3m").last()
    )
    assert last.height == N and last.null_count().row(0) == (0, 0, 0, 0)
    assert ((last["rsi_14"] > 0) & (last["rsi_14"] < 100)).all()


def test_news_feeds(market):
    _, summary, client = market
    companies = us_companies(N)
    results = {c.ticker: fetch_news(client, c.ticker, START, KEY) for c in companies}
    hot = results[companies[0].ticker]
    # the first ticker has ~1.2 articles a day: more than one page of 100, joined by next_url
    assert len({r["article_id"] for r in hot.rows if r["ticker"] == companies[0].ticker}) > 100
    assert [e.reason.split(" ")[1] for e in hot.rejected] == [summary.untagged_article_id]
    assert all(not results[c.ticker].rejected for c in companies[1:])
    rows = [r for res in results.values() for r in res.rows]
    # an article naming several tickers is in each of their feeds, and nowhere else
    by_article: dict[str, set[str]] = {}
    for ticker, res in results.items():
        for r in res.rows:
            by_article.setdefault(r["article_id"], set()).add(ticker)
    for article_id, feeds in by_article.items():
        listed = {r["ticker"] for r in rows if r["article_id"] == article_id}
        assert feeds == listed, article_id
    assert any(len(f) > 1 for f in by_article.values())
    labels = Counter(r["provider_sentiment"] for r in rows)
    assert labels[None] > 0 and labels["positive"] > 0 and labels["negative"] > 0
    assert all(START <= r["published_at"].date() <= END for r in rows)
    # a re-run's feed (since the window start) is the tail of the history feed, article for article
    tail = {c.ticker: fetch_news(client, c.ticker, WINDOW_START, KEY).rows for c in companies}
    for ticker, res in results.items():
        expected = [r for r in res.rows if r["published_at"].date() >= WINDOW_START]
        assert tail[ticker] == expected, ticker


def test_ratings(market):
    _, summary, client = market
    rows = [r for c in us_companies(N) for r in fetch_ratings(client, c.ticker, START, END, TOKEN)]
    assert len(rows) >= N and unknown_rating_strings(rows) == set()
    assert all(START <= r["rating_date"] <= END for r in rows)
    for r in rows:
        now, before = rating_to_numeric(r["rating"]), rating_to_numeric(r["prior_rating"])
        if r["action"] == "Upgrades":
            assert now > before
        elif r["action"] == "Downgrades":
            assert now < before
        elif r["action"] in ("Maintains", "Reiterates"):
            assert now == before
        else:
            assert r["action"] == "Initiates Coverage On" and r["prior_rating"] is None
        if r["price_target_action"] == "Raises":
            assert r["price_target"] > r["prior_price_target"]
        elif r["price_target_action"] == "Lowers":
            assert r["price_target"] < r["prior_price_target"]
    split = summary.split
    for r in rows:
        if r["ticker"] == split.ticker:
            expected = r["price_target"] / split.ratio if r["rating_date"] < split.day else r["price_target"]
            assert r["adjusted_price_target"] == pytest.approx(expected, abs=0.005)


def test_the_sample_holds_the_history_a_first_run_over_its_window_asks_for():
    window = RunWindow(tuple(us_trading_days(date(2026, 11, 13), date(2026, 11, 20))))
    assert sample_start(date(2026, 11, 20)) == window.history_start
    # enough sessions for SMA200 and 12-month returns before the window's first session
    assert len(us_trading_days(window.history_start, date(2026, 11, 12))) == HISTORY_SESSIONS


def test_deterministic_and_prefix_stable(tmp_path, market):
    root, _, _ = market
    write_market_data(tmp_path, 3, START, END, window_start=WINDOW_START)
    for company in us_companies(3):
        rel = mirror_relpath(*daily_aggs_request(company.ticker, START, END))
        assert (tmp_path / rel).read_bytes() == (root / rel).read_bytes(), company.ticker


def test_generated_mirror_over_http_with_a_fault(market):
    root, _, _ = market
    ticker = us_companies(N)[0].ticker
    with MirrorServer(Path(root)) as server:
        server.add_faults("cursor=", status(503))
        client = HttpClient(source_root=server.url, sleep=lambda s: None, backoff_base=0.01)
        assert len(fetch_news(client, ticker, START, KEY).rows) == len(
            fetch_news(HttpClient(source_root=root), ticker, START, KEY).rows
        )
        assert len(server.hits("cursor=")) >= 2


def test_empty_window_is_refused(tmp_path):
    with pytest.raises(ValueError, match="no US trading day"):
        write_market_data(tmp_path, 2, date(2023, 12, 23), date(2023, 12, 25))
