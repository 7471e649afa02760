"""Marts across splits and share classes, through the dbt models (raw rows loaded, a targeted dbt build).

Valuation ratios across a real split: Apple's 4-for-1, effective 2020-08-31.

The raw rows are Apple's own published figures (no AAPL split payload or companyfacts is among the shared
fixtures, so they are written out here from Apple's filings and the split announcement):

* closes 499.23 on Friday 2020-08-28 (the last pre-split session) and 129.04 on Monday 2020-08-31;
  Polygon's adjusted=true bars fetched after the split serve 2020-08-28 as 499.23 / 4 = 124.8075;
* diluted EPS: FY2019 11.89 (10-K filed 2019-10-31) and nine months to 2019-06-29 8.86 (10-Q filed
  2019-07-31), so Q4 FY2019 = 3.03; Q1 FY2020 4.99, Q2 2.55, Q3 2.58 (10-Qs of 2020-01-29, 2020-05-01,
  2020-07-31), all in pre-split shares: trailing EPS on both days 3.03 + 4.99 + 2.55 + 2.58 = 13.15
  pre-split = 3.2875 post-split;
* revenue (USD m) FY2019 260,174, nine months 196,134, Q1-Q3 FY2020 91,819 / 58,313 / 59,685: TTM 273,857;
  equity 72,282 at 2020-06-27; cover-page shares 4,275,634,000 as of 2020-07-17.

The oracle is this hand arithmetic: P/E 499.23 / 13.15 before, 129.04 / 3.2875 after; every ratio moves by
exactly the day's move 129.04 x 4 / 499.23 - 1 (the same trailing numbers on both days).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from tests.support.dbt_build import dbt_build
from valuation_platform.generator.sec import write_sec_mirror
from valuation_platform.pipelines.sec.companyfacts import load_companyfacts
from valuation_platform.pipelines.sec.universe import load_company_tickers, load_universe
from valuation_platform.sources.http import HttpClient, mirror_relpath
from valuation_platform.sources.polygon.corporate_actions import parse_splits
from valuation_platform.sources.sec.companyfacts import parse_companyfacts
from valuation_platform.sources.sec.urls import TICKERS_URL, companyfacts_url, submissions_url
from valuation_platform.warehouse.bootstrap import ensure_tables
from valuation_platform.warehouse.embedded import drop_database, ensure_database
from valuation_platform.warehouse.settings import DatabaseSettings
from valuation_platform.warehouse.tables.market import POLYGON_DAILY_BARS, POLYGON_SPLITS
from valuation_platform.warehouse.tables.sec import SEC_COMPANYFACTS, SEC_TABLES, US_UNIVERSE
from valuation_platform.warehouse.upsert import upsert

pytestmark = pytest.mark.xdist_group("dbt")

AAPL_CIK = 320193
# Polygon /v3/reference/splits, as it lists Apple's 2020 split (the real response's fields and envelope)
SPLITS_PAGE = {
    "results": [{"execution_date": "2020-08-31", "id": "E36416cce743c3964c5da63e1ef1626c0aece30fb47302eea5a49c0055c04e8d0",
                 "split_from": 1, "split_to": 4, "ticker": "AAPL"}],
    "status": "OK",
    "request_id": "6a8a1a9e7ad05a9bb6d6e4a1f4fd3c80",
}


def _fact(start: str | None, end: str, val: float, accn: str, fy: int, fp: str, form: str, filed: str) -> dict:
    fact = {"end": end, "val": val, "accn": accn, "fy": fy, "fp": fp, "form": form, "filed": filed}
    return fact | ({"start": start} if start else {})


FILINGS = {  # accession -> (fy, fp, form, filed)
    "0000320193-19-000076": (2019, "Q3", "10-Q", "2019-07-31"),
    "0000320193-19-000119": (2019, "FY", "10-K", "2019-10-31"),
    "0000320193-20-000010": (2020, "Q1", "10-Q", "2020-01-29"),
    "0000320193-20-000052": (2020, "Q2", "10-Q", "2020-05-01"),
    "0000320193-20-000062": (2020, "Q3", "10-Q", "2020-07-31"),
}
PERIODS = {  # (start, end) -> accession that reported it first
    ("2018-09-30", "2019-06-29"): "0000320193-19-000076",  # nine months FY2019
    ("2018-09-30", "2019-09-28"): "0000320193-19-000119",  # FY2019
    ("2019-09-29", "2019-12-28"): "0000320193-20-000010",  # Q1 FY2020
    ("2019-12-29", "2020-03-28"): "0000320193-20-000052",  # Q2 FY2020
    ("2020-03-29", "2020-06-27"): "0000320193-20-000062",  # Q3 FY2020
}
EPS = dict(zip(PERIODS, (8.86, 11.89, 4.99, 2.55, 2.58), strict=True))
REVENUE = dict(zip(PERIODS, (196_134e6, 260_174e6, 91_819e6, 58_313e6, 59_685e6), strict=True))


def _facts(concept_values: dict, accession_of: dict) -> list[dict]:
    return [_fact(start, end, val, accession_of[(start, end)], *FILINGS[accession_of[(start, end)]])
            for (start, end), val in concept_values.items()]


def apple_companyfacts() -> dict:
    q3 = "0000320193-20-000062"
    return {
        "cik": AAPL_CIK,
        "entityName": "Apple Inc.",
        "facts": {
            "dei": {"EntityCommonStockSharesOutstanding": {"units": {"shares": [
                _fact(None, "2020-07-17", 4_275_634_000, q3, *FILINGS[q3])]}}},
            "us-gaap": {
                "EarningsPerShareDiluted": {"units": {"USD/shares": _facts(EPS, PERIODS)}},
                "RevenueFromContractWithCustomerExcludingAssessedTax": {"units": {"USD": _facts(REVENUE, PERIODS)}},
                "StockholdersEquity": {"units": {"USD": [_fact(None, "2020-06-27", 72_282e6, q3, *FILINGS[q3])]}},
            },
        },
    }


def _bar(day: date, close: float) -> dict:
    return {"ticker": "AAPL", "trade_date": day, "open": close, "high": close, "low": close, "close": close,
            "volume": 1e6, "vwap": close, "transactions": 1000, "_partition_key": day.isoformat()}


@pytest.fixture(scope="module")
def apple(pg_admin, tmp_path_factory) -> Iterator[tuple[DatabaseSettings, Path]]:
    """One database and one dbt target folder for the Apple scenarios (dbt then parses once)."""
    name = "vpt_apple_split"
    drop_database(pg_admin, name)
    ensure_database(pg_admin, name)
    yield pg_admin.with_dbname(name), tmp_path_factory.mktemp("dbt_apple")
    drop_database(pg_admin, name)


def _load_apple(conn: psycopg.Connection, *, bars_fetched_before_split: bool) -> None:
    ensure_tables(conn, [US_UNIVERSE, SEC_COMPANYFACTS, POLYGON_DAILY_BARS, POLYGON_SPLITS])
    for spec in (US_UNIVERSE, SEC_COMPANYFACTS, POLYGON_DAILY_BARS, POLYGON_SPLITS):
        conn.execute(sql.SQL("truncate {}").format(spec.identifier))
    upsert(conn, US_UNIVERSE, [{"ticker": "AAPL", "cik": AAPL_CIK, "name": "Apple Inc.", "exchange": "Nasdaq",
                                "sic": 3571, "fiscal_year_end": "0926", "is_primary_ticker": True}], source="test")
    upsert(conn, SEC_COMPANYFACTS, parse_companyfacts(apple_companyfacts(), "CIK0000320193.json"), source="test")
    splits = parse_splits(json.dumps(SPLITS_PAGE).encode(), "api.polygon.io/v3/reference/splits")
    assert not splits.rejected
    upsert(conn, POLYGON_SPLITS, splits.rows, source="test")
    friday, monday = date(2020, 8, 28), date(2020, 8, 31)
    if bars_fetched_before_split:  # each bar stored the evening of its session: in that day's own basis
        upsert(conn, POLYGON_DAILY_BARS, [_bar(friday, 499.23)], source="test",
               fetched_at=datetime(2020, 8, 28, 22, tzinfo=UTC))
        upsert(conn, POLYGON_DAILY_BARS, [_bar(monday, 129.04)], source="test",
               fetched_at=datetime(2020, 8, 31, 22, tzinfo=UTC))
    else:  # both fetched today: adjusted to today's shares, as Polygon serves them
        upsert(conn, POLYGON_DAILY_BARS, [_bar(friday, 499.23 / 4), _bar(monday, 129.04)], source="test")
    conn.commit()


@pytest.mark.parametrize("bars_fetched_before_split", [False, True], ids=["fetched_today", "fetched_daily"])
def test_apple_split_keeps_every_ratio_continuous(apple, bars_fetched_before_split) -> None:
    db, workdir = apple
    with psycopg.connect(db.url) as conn:
        _load_apple(conn, bars_fetched_before_split=bars_fetched_before_split)
    assert dbt_build(db, ["+fct_valuation_ratios"], workdir, full_refresh=True) == []

    with psycopg.connect(db.url) as conn:
        rows = conn.execute(
            "select trade_date, close, split_factor, fiscal_year, fiscal_period, eps_ttm, shares_outstanding,"
            " market_cap, pe_ratio, pb_ratio, ps_ratio, book_value_per_share, revenue_ttm"
            " from marts.fct_valuation_ratios where ticker = 'AAPL' order by trade_date"
        ).fetchall()
        factors = conn.execute(
            "select valid_from, valid_to, cumulative_factor from marts.fct_split_factors order by valid_from"
        ).fetchall()
    assert factors == [(date(1, 1, 1), date(2020, 8, 31), 1.0), (date(2020, 8, 31), date(9999, 12, 31), 4.0)]
    before, after = rows
    assert before[:5] == (date(2020, 8, 28), pytest.approx(499.23), 1.0, 2020, "Q3")
    assert after[:5] == (date(2020, 8, 31), pytest.approx(129.04), 4.0, 2020, "Q3")  # same trailing period
    # the same trailing EPS (3.03 + 4.99 + 2.55 + 2.58) and share count, in each day's share basis
    assert before[5] == pytest.approx(13.15) and after[5] == pytest.approx(13.15 / 4)
    assert before[6] == pytest.approx(4_275_634_000) and after[6] == pytest.approx(17_102_536_000)
    assert before[12] == after[12] == pytest.approx(273_857e6)
    assert before[8] == pytest.approx(499.23 / 13.15)  # P/E 37.96
    assert after[8] == pytest.approx(129.04 / 3.2875)  # P/E 39.25, not 9.81
    assert before[7] == pytest.approx(499.23 * 4_275_634_000)  # market cap $2.13 trillion
    assert after[11] == pytest.approx(72_282e6 / 17_102_536_000)  # book value per post-split share
    day_move = 129.04 * 4 / 499.23
    for column in (7, 8, 9, 10):  # market cap, P/E, P/B, P/S move with the price, nothing else
        assert after[column] / before[column] == pytest.approx(day_move, rel=1e-12)


def test_a_daily_run_writes_only_its_window(apple) -> None:
    """fct_valuation_ratios is incremental on the session: a run with window_start/window_end rewrites the
    window's rows from the current inputs and leaves every other row as it was."""
    db, workdir = apple
    with psycopg.connect(db.url) as conn:
        _load_apple(conn, bars_fetched_before_split=False)
    assert dbt_build(db, ["+fct_valuation_ratios"], workdir, full_refresh=True) == []
    with psycopg.connect(db.url) as conn:  # both closes corrected upstream after the first build
        conn.execute("update raw.polygon_daily_bars set close = close * 1.01")
        conn.commit()
    window = {"window_start": "2020-08-31", "window_end": "2020-08-31"}
    assert dbt_build(db, ["fct_valuation_ratios"], workdir, variables=window) == []
    with psycopg.connect(db.url) as conn:
        closes = conn.execute("select trade_date, close from marts.fct_valuation_ratios order by trade_date").fetchall()
    assert closes == [(date(2020, 8, 28), pytest.approx(499.23)), (date(2020, 8, 31), pytest.approx(129.04 * 1.01))]


# -- share classes ---------------------------------------------------------------------------------
def _alphabet_mirror(root: Path) -> tuple[int, dict]:
    """A generated SEC mirror of one company, listed the way company_tickers.json lists Alphabet (GOOGL and
    GOOG under one CIK, GOOGL first; the submissions profile names both). Alphabet's own companyfacts is
    not among the shared fixtures, so its filings are the generator's."""
    write_sec_mirror(root, 1, compress=False, with_faults=False)
    tickers_path = root / mirror_relpath(TICKERS_URL)
    (entry,) = json.loads(tickers_path.read_text()).values()
    cik = entry["cik_str"]
    tickers_path.write_text(json.dumps({"0": {"cik_str": cik, "ticker": "GOOGL", "title": "Alphabet Inc."},
                                        "1": {"cik_str": cik, "ticker": "GOOG", "title": "Alphabet Inc."}}))
    submissions_path = root / mirror_relpath(submissions_url(cik))
    submissions = json.loads(submissions_path.read_text())
    submissions.update(name="Alphabet Inc.", tickers=["GOOGL", "GOOG"], exchanges=["Nasdaq", "Nasdaq"])
    submissions_path.write_text(json.dumps(submissions))
    return cik, json.loads((root / mirror_relpath(companyfacts_url(cik))).read_text())


def _fy_revenue(companyfacts: dict) -> dict[int, float]:
    """Fiscal-year revenue per FY-end year, the latest filing's value: the oracle, read from the document."""
    units = next(companyfacts["facts"]["us-gaap"][c]["units"]["USD"] for c in
                 ("Revenues", "RevenueFromContractWithCustomerExcludingAssessedTax", "SalesRevenueNet")
                 if c in companyfacts["facts"]["us-gaap"])
    annual = [f for f in units if (date.fromisoformat(f["end"]) - date.fromisoformat(f["start"])).days > 350]
    latest: dict[str, dict] = {}
    for fact in sorted(annual, key=lambda f: f["filed"]):
        latest[fact["end"]] = fact
    return {date.fromisoformat(end).year: float(f["val"]) for end, f in latest.items()}


def test_any_listed_share_class_keeps_its_company(fresh_db, tmp_path) -> None:
    """VP_TICKERS=GOOG (Alphabet's class C, not its primary ticker GOOGL) still gives Alphabet's statements,
    under GOOG; with both classes in the universe the company is named by GOOGL, once per period."""
    root = tmp_path / "mirror"
    cik, companyfacts = _alphabet_mirror(root)
    client = HttpClient(source_root=root)
    with psycopg.connect(fresh_db.url) as conn:
        ensure_tables(conn, SEC_TABLES)
        load_company_tickers(conn, client)
        assert load_universe(conn, client, ["GOOG"]).tickers == ["GOOG"]
        load_companyfacts(conn, client, ["GOOG"])
        conn.commit()
    assert dbt_build(fresh_db, ["+fct_financial_statements", "+dim_company"], tmp_path / "dbt") == []
    expected = _fy_revenue(companyfacts)
    with psycopg.connect(fresh_db.url) as conn:
        statements = conn.execute("select ticker, cik, fiscal_year, revenue::float8 from marts.fct_financial_statements"
                                  " where fiscal_period = 'FY' order by fiscal_year").fetchall()
        assert conn.execute("select ticker, cik from marts.dim_company").fetchall() == [("GOOG", cik)]
    assert statements and {(t, c) for t, c, _, _ in statements} == {("GOOG", cik)}
    assert {fy: revenue for _, _, fy, revenue in statements} == {fy: expected[fy] for _, _, fy, _ in statements}

    with psycopg.connect(fresh_db.url) as conn:
        assert load_universe(conn, client, ["GOOG", "GOOGL"]).tickers == ["GOOG", "GOOGL"]
        conn.commit()
    assert dbt_build(fresh_db, ["fct_financial_statements", "dim_company"], tmp_path / "dbt") == []
    with psycopg.connect(fresh_db.url) as conn:
        both = conn.execute("select ticker, fiscal_year from marts.fct_financial_statements"
                            " where fiscal_period = 'FY' order by fiscal_year").fetchall()
        classes = conn.execute("select ticker, cik from marts.dim_company order by ticker").fetchall()
    assert both == [("GOOGL", fy) for _, _, fy, _ in statements]
    assert classes == [("GOOG", cik), ("GOOGL", cik)]
