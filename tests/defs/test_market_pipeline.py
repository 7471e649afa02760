"""End to end: generated SEC + market mirror -> Dagster assets -> Postgres -> dbt marts, for the market
(prices, technical indicators, valuation ratios) and sentiment (news, analyst ratings) domains.

Every expected value is computed here independently: TA-Lib, plain Python over the marts' rows, and the
valuation ratios straight from the mirror's source documents (companyfacts and aggregates JSON).

The runner materializes only the sample window (a week of sessions); the bars asset fetches the history
indicators need by itself, so the warehouse ends up holding HISTORY_SESSIONS sessions before the window."""

from __future__ import annotations

import gzip
import json
import math
from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo
from pathlib import Path
from statistics import mean

import dagster as dg
import numpy as np
import pytest
import talib

from tests.support.mirror_server import MirrorServer, status
from tests.support.pipeline import env, run_pipeline
from valuation_platform.analytics.market.indicators import INDICATOR_COLUMNS
from valuation_platform.analytics.sentiment import lexicon_score
from valuation_platform.generator.market import sample_start, sample_window_start, write_market_data
from valuation_platform.generator.sec import DEFAULT_AS_OF, write_sec_mirror
from valuation_platform.generator.universe import us_companies
from valuation_platform.lib.runner import RANGE_END_TAG, RANGE_START_TAG
from valuation_platform.pipelines.market.window import HISTORY_SESSIONS
from valuation_platform.pipelines.report import IncompleteLoad
from valuation_platform.sources.benzinga.ratings import ratings_request
from valuation_platform.sources.http import mirror_relpath
from valuation_platform.sources.market_calendar import us_trading_days
from valuation_platform.sources.polygon.aggregates import daily_aggs_request
from valuation_platform.warehouse.connection import connect
from valuation_platform.warehouse.embedded import drop_database, ensure_database

GROUPS = {"market", "sentiment", "sec", "fundamentals", "reference"}
N = 8
COMPANIES = us_companies(N)
START = sample_start(DEFAULT_AS_OF)  # where the first run's history fetch begins
SESSIONS = us_trading_days(START, DEFAULT_AS_OF)  # every session stored after the first run
RUN = us_trading_days(sample_window_start(DEFAULT_AS_OF), DEFAULT_AS_OF)  # the window the runner materializes
BAD_BAR_TICKER, BAD_BAR_INDEX = COMPANIES[3].ticker, 10
SPLIT_TICKER = COMPANIES[1].ticker  # the generator splits company 1 inside the window
UNKNOWN_RATING = "Speculative Hold"  # not on the numeric scale: must stay NULL and be reported
NEW_YORK = ZoneInfo("America/New_York")
PYTHON_ASSETS = ("polygon_daily_bars", "technical_indicators", "polygon_news", "news_sentiment",
                 "benzinga_ratings")


def _aggs_file(root: Path, ticker: str) -> Path:
    return root / (mirror_relpath(*daily_aggs_request(ticker, START, DEFAULT_AS_OF)) + ".gz")


@pytest.fixture(scope="module")
def mirror(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("mirror")
    write_sec_mirror(root, N, compress=False)
    # the same call generator/mirror.py makes for the bundled sample
    summary = write_market_data(root, COMPANIES, START, DEFAULT_AS_OF, compress=True)
    assert summary.split.ticker == SPLIT_TICKER
    path = _aggs_file(root, BAD_BAR_TICKER)  # one bar loses its close: it alone must be quarantined
    payload = json.loads(gzip.decompress(path.read_bytes()))
    del payload["results"][BAD_BAR_INDEX]["c"]
    path.write_bytes(gzip.compress(json.dumps(payload).encode()))
    path = root / (mirror_relpath(*ratings_request(COMPANIES[0].ticker, START, DEFAULT_AS_OF)) + ".gz")
    payload = json.loads(gzip.decompress(path.read_bytes()))
    payload["ratings"][0]["rating_current"] = UNKNOWN_RATING  # the newest rating: Benzinga sends newest first
    path.write_bytes(gzip.compress(json.dumps(payload).encode()))
    return root


@pytest.fixture(scope="module")
def db(pg_admin):
    name = "vpt_market_e2e"
    drop_database(pg_admin, name)
    ensure_database(pg_admin, name)
    yield pg_admin.with_dbname(name)
    drop_database(pg_admin, name)


@pytest.fixture(scope="module")
def instance():
    # Dagster's own bookkeeping in memory: five assets x 277 session partitions write ~3,000 events per
    # run, three times faster than in Postgres (tests/defs/test_sec_pipeline.py covers Postgres storage).
    return dg.DagsterInstance.ephemeral()


@pytest.fixture(scope="module")
def first_run(mirror, db, instance):
    return run_pipeline(mirror, db, instance, select_groups=GROUPS)


def query(db, sql: str, params: tuple = ()) -> list[tuple]:
    with connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def latest_meta(instance, key: str) -> dict:
    event = instance.get_latest_materialization_event(dg.AssetKey(key))
    assert event is not None, key
    return {k: v.value for k, v in event.asset_materialization.metadata.items()}


@pytest.fixture(scope="module")
def materialize_range(mirror, db, instance):
    """One asset over a session range, with the same definitions and resources the pipeline uses."""
    from valuation_platform.definitions import build_defs

    settings = {"VP_SOURCE_ROOT": str(mirror), "VP_DATABASE_URL": db.url, "VP_TICKERS": None}
    with env(settings):
        defs = build_defs()

    def run(key: str, start: date, end: date) -> dg.ExecuteInProcessResult:
        with env(settings):  # resources resolve their EnvVars when the run starts
            return dg.materialize(
                [*defs.assets, *defs.asset_checks],
                selection=dg.AssetSelection.assets(key),
                instance=instance,
                resources=dict(defs.resources),
                tags={RANGE_START_TAG: start.isoformat(), RANGE_END_TAG: end.isoformat()},
                raise_on_error=False,
            )

    return run


# -- the run ---------------------------------------------------------------------------------------
def test_no_asset_tells_the_runner_how_far_back_to_go() -> None:
    from valuation_platform.defs.market.assets import polygon_daily_bars, technical_indicators
    from valuation_platform.defs.sentiment.assets import benzinga_ratings, news_sentiment, polygon_news

    assets = (polygon_daily_bars, technical_indicators, polygon_news, news_sentiment, benzinga_ratings)
    assert [a.key.to_user_string() for a in assets] == list(PYTHON_ASSETS)
    for asset in assets:
        assert not any(tag.startswith("vp/") for tag in asset.specs_by_key[asset.key].tags)
    assert len(SESSIONS) == HISTORY_SESSIONS + len(RUN)


def test_every_stage_succeeds_over_the_sample_history(first_run, instance) -> None:
    assert first_run and all(stage.success for stage in first_run)
    assert any(f"{len(RUN)} partitions {RUN[0]}..{RUN[-1]}" in s.partitions for s in first_run)
    meta = latest_meta(instance, "polygon_daily_bars")
    # an empty warehouse: every ticker gets its history, one ranged request each
    assert meta["endpoint"] == "ranged" and meta["tickers_given_history"] == N + 4
    assert meta["requests"] == N + 4 and meta["history_from"] == START.isoformat()
    # the run wrote every stored session, each bar under its own session key
    assert meta["dagster/row_count"] == N * len(SESSIONS) - 3 - 1  # the halt's 3 sessions, the bad bar
    assert len(meta["rows_by_partition"]) == len(SESSIONS)
    assert meta["not_in_mirror"] == "BRKJ, GONE, IFRS, NOFX"  # the SEC mirror's broken companies: no prices


def test_prices_land_with_the_halt_gap_and_without_the_bad_bar(first_run, db) -> None:
    counts = dict(query(db, "select ticker, count(*) from marts.fct_daily_prices group by ticker"))
    assert set(counts) == {c.ticker for c in COMPANIES}
    assert counts[COMPANIES[2].ticker] == len(SESSIONS) - 3  # halted for three sessions
    assert counts[BAD_BAR_TICKER] == len(SESSIONS) - 1  # its malformed bar is quarantined, the rest landed
    assert all(counts[c.ticker] == len(SESSIONS) for c in COMPANIES if c.index not in (2, 3))
    # the split is adjusted away: no daily move near the 2:1 factor in the split ticker's series
    sql = "select close from marts.fct_daily_prices where ticker = %s order by trade_date"
    closes = [c for (c,) in query(db, sql, (SPLIT_TICKER,))]
    assert max(abs(math.log(b / a)) for a, b in zip(closes, closes[1:], strict=False)) < math.log(1.3)


def test_bad_inputs_are_quarantined_with_reasons(first_run, db) -> None:
    rows = query(db, "select asset_key, document, field, reason, excerpt from raw.quarantine"
                     " where asset_key in ('polygon_daily_bars', 'polygon_news', 'benzinga_ratings')")
    bars = [r for r in rows if r[0] == "polygon_daily_bars"]
    assert len(bars) == 1
    _, document, field, reason, excerpt = bars[0]
    assert document.endswith(f"#results[{BAD_BAR_INDEX}]") and f"/ticker/{BAD_BAR_TICKER}/" in document
    assert field == f"results[{BAD_BAR_INDEX}].c" and "has no 'c' (close)" in reason
    assert "c" not in json.loads(excerpt) and json.loads(excerpt)["o"] > 0  # the bar itself is kept
    news = [r for r in rows if r[0] == "polygon_news"]
    assert len(news) == 1 and "lists no tickers" in news[0][3] and news[0][2].endswith(".tickers")
    assert not [r for r in rows if r[0] == "benzinga_ratings"]


def test_unknown_rating_words_stay_null_and_are_reported(first_run, db, instance) -> None:
    meta = latest_meta(instance, "benzinga_ratings")
    assert meta["unknown_rating_strings"] == UNKNOWN_RATING and meta["unknown_rating_count"] == 1
    sql = "select ticker, rating_numeric from marts.fct_analyst_ratings where rating = %s"
    assert query(db, sql, (UNKNOWN_RATING,)) == [(COMPANIES[0].ticker, None)]
    sql = "select firms - rating_count from marts.fct_analyst_consensus where ticker = %s"
    assert query(db, sql, (COMPANIES[0].ticker,)) == [(1,)]


# -- indicators ------------------------------------------------------------------------------------
def test_indicators_equal_talib_on_the_marts_own_prices(first_run, db) -> None:
    prices = query(db, "select trade_date, close, volume from marts.fct_daily_prices where ticker = %s"
                       " order by trade_date", (SPLIT_TICKER,))
    close = np.array([p[1] for p in prices])
    volume = np.array([p[2] for p in prices])
    mart = query(db, f"select trade_date, {', '.join(INDICATOR_COLUMNS)} from marts.fct_technical_indicators"
                     " where ticker = %s order by trade_date", (SPLIT_TICKER,))
    assert [r[0] for r in mart] == RUN  # indicators of the run's sessions, over the fetched history
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
        assert not np.isnan(ours[column]).any(), column
        np.testing.assert_allclose(ours[column], theirs[at], rtol=1e-9, atol=1e-9, err_msg=column)


# -- valuation ratios ------------------------------------------------------------------------------
def _source_json(path: Path) -> dict:
    raw = path.read_bytes() if path.exists() else gzip.decompress(path.with_name(path.name + ".gz").read_bytes())
    return json.loads(raw)


def _annual_figures(facts: dict) -> dict[str, tuple[float, float, float, date]]:
    """Per fiscal-year end, from a companyfacts document: (diluted EPS, revenue, equity, filed). Each value is
    the one of the latest filing that reports it (a restating 10-K wins; later 10-Ks repeat prior years as
    comparatives), public since the first filing that gave that value; filed = when the last became public."""
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
            years[end] = (eps[0], revenue[0], equity[0], max(eps[1], revenue[1], equity[1]))
    return years


def test_valuation_ratios_match_the_source_documents(first_run, mirror, db) -> None:
    """P/E, P/B, P/S of every fiscal year with a price, from the companyfacts and aggregates JSON the
    generator wrote: price = the first close on or after the 10-K became public (within a week), shares =
    the latest dei EntityCommonStockSharesOutstanding filed by then. No SQL: only the files."""
    rows = {
        (r[0], r[1].isoformat()): r[2:]
        for r in query(db, "select ticker, period_end, filed, price_date, close, pe_ratio, pb_ratio, ps_ratio"
                           " from marts.fct_valuation_ratios where fiscal_period = 'FY'")
    }
    checked = 0
    for company in COMPANIES:
        facts = _source_json(mirror / "data.sec.gov" / "api" / "xbrl" / "companyfacts" / f"CIK{company.cik10}.json")
        bars = json.loads(gzip.decompress(_aggs_file(mirror, company.ticker).read_bytes()))["results"]
        # a bar's "t" is its session's midnight in New York, in ms; the quarantined bar has no "c"
        closes = {datetime.fromtimestamp(b["t"] / 1000, NEW_YORK).date(): b["c"] for b in bars if "c" in b}
        shares = facts["facts"]["dei"]["EntityCommonStockSharesOutstanding"]["units"]["shares"]
        for end, (eps, revenue, equity, filed) in _annual_figures(facts).items():
            days = [filed + timedelta(days=k) for k in range(8) if filed + timedelta(days=k) in closes]
            if not days:
                continue
            close = closes[days[0]]
            known = max((s for s in shares if date.fromisoformat(s["filed"]) <= filed),
                        key=lambda s: (s["filed"], s["end"]))
            cap = close * known["val"]
            mart_filed, price_date, mart_close, pe, pb, ps = rows[(company.ticker, end)]
            assert (mart_filed, price_date, mart_close) == (filed, days[0], close), (company.ticker, end)
            assert pe == (pytest.approx(close / eps, rel=1e-12) if eps > 0 else None)
            assert pb == (pytest.approx(cap / equity, rel=1e-12) if equity > 0 else None)
            assert ps == pytest.approx(cap / revenue, rel=1e-12)
            checked += 1
    assert checked >= N  # every company filed a 10-K inside the stored price history


# -- ratings and news ------------------------------------------------------------------------------
def test_consensus_is_a_plain_average_of_each_firms_latest_rating(first_run, db) -> None:
    ratings = query(db, "select ticker, firm, rating_date, rating_id, rating_numeric,"
                        " coalesce(adjusted_price_target, price_target) from marts.fct_analyst_ratings")
    as_of = max(r[2] for r in ratings)
    latest: dict[tuple[str, str], tuple] = {}
    for r in sorted(ratings, key=lambda r: (r[2], r[3])):
        if r[2] > as_of - timedelta(days=365):
            latest[(r[0], r[1])] = r
    last_close = dict(query(db, "select distinct on (ticker) ticker, close from marts.fct_daily_prices"
                                " order by ticker, trade_date desc"))
    sql = ("select ticker, as_of_date, firms, rating_count, mean_rating, mean_price_target, target_upside"
           " from marts.fct_analyst_consensus")
    consensus = {r[0]: r[1:] for r in query(db, sql)}
    assert set(consensus) == {t for t, _ in latest}
    for ticker, (as_of_date, firms, rating_count, mean_rating, mean_target, upside) in consensus.items():
        views = [v for (t, _), v in latest.items() if t == ticker]
        known = [v[4] for v in views if v[4] is not None]  # an unknown rating word counts for its target only
        assert as_of_date == as_of and firms == len(views) and rating_count == len(known)
        assert mean_rating == pytest.approx(mean(known), rel=1e-12)
        assert mean_target == pytest.approx(mean(v[5] for v in views), rel=1e-12)
        assert upside == pytest.approx(mean_target / last_close[ticker] - 1, rel=1e-12)


def test_sentiment_windows_are_plain_averages(first_run, db) -> None:
    sql = "select ticker, published_date, trade_date, sentiment_score from marts.fct_news_sentiment"
    rows = query(db, sql)
    as_of = max(r[2] for r in rows)
    assert as_of == SESSIONS[-1]
    sql = ("select ticker, as_of_date, articles_7d, avg_sentiment_7d, articles_30d, avg_sentiment_30d"
           " from marts.fct_news_sentiment_summary")
    summary = {r[0]: r[1:] for r in query(db, sql)}
    assert set(summary) == {r[0] for r in rows}
    for ticker, (as_of_date, n7, avg7, n30, avg30) in summary.items():
        assert as_of_date == as_of
        for n, avg, days in ((n7, avg7, 7), (n30, avg30, 30)):
            first = as_of - timedelta(days=days - 1)
            scores = [r[3] for r in rows if r[0] == ticker and first <= r[1] <= as_of]
            assert n == len(scores)
            assert avg == (pytest.approx(mean(scores), rel=1e-12) if scores else None)
    assert sum(s[1] for s in summary.values()) > 0


def test_scores_follow_provider_labels_else_the_lexicon(first_run, db) -> None:
    rows = query(db, "select n.title, n.description, n.provider_sentiment, s.sentiment_score, s.scorer"
                     " from raw.polygon_news n join analytics.news_sentiment s using (article_id, ticker)")
    provider = [r for r in rows if r[4] == "provider"]
    lexicon = [r for r in rows if r[4] == "lexicon"]
    assert provider and lexicon and len(provider) + len(lexicon) == len(rows)  # no FinBERT configured
    assert all(r[3] == {"positive": 1.0, "neutral": 0.0, "negative": -1.0}[r[2]] for r in provider)
    assert all(r[3] == lexicon_score(f"{r[0]}. {r[1]}").score for r in lexicon)


# -- re-runs and other paths -----------------------------------------------------------------------
def counts(db) -> dict[str, int]:
    tables = query(db, "select table_schema || '.' || table_name from information_schema.tables"
                       " where table_schema in ('raw', 'analytics', 'marts') and table_type = 'BASE TABLE'")
    return {t: query(db, f"select count(*) from {t}")[0][0] for (t,) in tables}


def test_rerun_is_idempotent(first_run, mirror, db, instance) -> None:
    before = counts(db)
    # every load again over the same 277 sessions (the marts are rebuilt from these tables by dbt)
    again = run_pipeline(mirror, db, instance, select_keys=set(PYTHON_ASSETS))
    assert len(again) == 1 and again[0].success
    assert counts(db) == before
    tables = {"polygon_daily_bars": "raw", "technical_indicators": "analytics", "polygon_news": "raw",
              "news_sentiment": "analytics", "benzinga_ratings": "raw"}
    for key in PYTHON_ASSETS:
        meta = latest_meta(instance, key)  # each asset's table is named as the asset
        # history is stored now: the re-run asks for the run's own sessions only, and rewrites them unchanged
        owned = query(db, f"select count(*) from {tables[key]}.{key} where trade_date between %s and %s",
                      (RUN[0], RUN[-1]))[0][0]
        assert meta["dagster/row_count"] == meta[f"{key}/rows_in"] == owned, key
        assert meta[f"{key}/inserted"] == meta[f"{key}/updated"] == 0, key
    assert latest_meta(instance, "polygon_daily_bars")["rows_by_partition"] == {
        day.isoformat(): N for day in RUN}


def test_grouped_daily_gives_the_same_bars(first_run, materialize_range, instance) -> None:
    result = materialize_range("polygon_daily_bars", SESSIONS[-5], SESSIONS[-1])
    assert result.success
    meta = latest_meta(instance, "polygon_daily_bars")
    # history stored: the N priced tickers take 5 grouped calls (5 sessions < N); the 4 without prices
    # still ask for their history (a ranged call each) and the mirror has none
    assert meta["endpoint"] == "grouped" and meta["requests"] == 5 + 4 and meta["tickers_given_history"] == 4
    assert meta["polygon_daily_bars/rows_in"] == 5 * N
    assert meta["polygon_daily_bars/inserted"] == meta["polygon_daily_bars/updated"] == 0


def test_a_split_between_runs_triggers_a_history_refetch(first_run, materialize_range, db, instance) -> None:
    ticker = COMPANIES[5].ticker
    sql = "select trade_date, close from raw.polygon_daily_bars where ticker = %s order by 1"
    original = query(db, sql, (ticker,))
    with connect(db) as conn, conn.transaction():  # stored history as it was before a 2:1 split
        conn.execute("update raw.polygon_daily_bars set open = open * 2, high = high * 2, low = low * 2,"
                     " close = close * 2 where ticker = %s and trade_date < %s", (ticker, RUN[0]))
    result = materialize_range("polygon_daily_bars", RUN[0], RUN[-1])
    assert result.success
    meta = latest_meta(instance, "polygon_daily_bars")
    assert meta["endpoint"] == "grouped" and f"- {ticker}: close" in meta["split_repairs"]
    assert meta["polygon_daily_bars/updated"] == len(original) - len(RUN)  # the doubled history, restored
    assert query(db, sql, (ticker,)) == original


def test_a_429_storm_is_retried_and_an_endless_one_fails_after_loading_the_rest(
    first_run, mirror, db
) -> None:
    from valuation_platform.defs.market.assets import polygon_daily_bars
    from valuation_platform.lib.resources import SourcesResource, WarehouseResource

    storm, endless, calm = COMPANIES[0].ticker, COMPANIES[4].ticker, COMPANIES[6].ticker
    warehouse = WarehouseResource(database_url=db.url)
    keys = dg.PartitionKeyRange(RUN[0].isoformat(), RUN[-1].isoformat())

    def context() -> dg.AssetExecutionContext:  # direct invocation: no RetryPolicy wait inside the test
        return dg.build_asset_context(partition_key_range=keys)
    with connect(db) as conn, conn.transaction():
        conn.execute("delete from raw.polygon_daily_bars where ticker = any(%s)", ([storm, calm],))
    with MirrorServer(mirror) as server:
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
    with MirrorServer(mirror) as server:  # the storm is over: a re-run loads it and clears the quarantine
        sources = SourcesResource(source_root=server.url, tickers=endless, max_retries=3)
        polygon_daily_bars(context(), sources=sources, warehouse=warehouse)
    assert not query(db, sql, (f"%/ticker/{endless}/%",))


@pytest.mark.parametrize(
    ("asset", "source", "what"),
    [("polygon_daily_bars", "polygon", "aggregates"), ("polygon_news", "polygon", "news"),
     ("benzinga_ratings", "benzinga", "ratings")],
)
def test_a_mirror_without_the_source_fails_the_step_alone_with_one_line(
    first_run, db, tmp_path, asset, source, what
) -> None:
    """A mirror holding only SEC payloads (here: nothing of Polygon or Benzinga) for a two-ticker universe."""
    from valuation_platform.defs.market import assets as market
    from valuation_platform.defs.sentiment import assets as sentiment
    from valuation_platform.lib.resources import SourcesResource, WarehouseResource

    definition = getattr(market, asset, None) or getattr(sentiment, asset)
    tickers = f"{COMPANIES[0].ticker},{COMPANIES[1].ticker}"
    context = dg.build_asset_context(partition_key_range=dg.PartitionKeyRange(RUN[0].isoformat(), RUN[-1].isoformat()))
    sources = SourcesResource(source_root=str(tmp_path), tickers=tickers)
    with pytest.raises(dg.Failure) as failure:
        definition(context, sources=sources, warehouse=WarehouseResource(database_url=db.url))
    message = failure.value.description
    assert message.startswith(f"source {source} unavailable: the mirror holds none of the 2 {what} documents")
    assert "\n" not in message and "first: " in message
    live = SourcesResource(tickers=tickers)  # live hosts, no API key: not configured, nothing fetched
    with pytest.raises(dg.Failure, match=f"source {source} unavailable: not configured: VP_"):
        definition(context, sources=live, warehouse=WarehouseResource(database_url=db.url))
