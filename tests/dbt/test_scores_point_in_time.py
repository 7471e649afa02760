"""Point in time: the IC Score of day D uses only data public on D.

A small warehouse of input marts (generator.score_inputs: 12 companies) is scored with the scores models;
then everything a ticker could learn the day after D is added: a new quarter's statement filed D+1, a new
cover-page share count, the fct_valuation_ratios rows from D+1 on that they produce, a 13F holding filed
D+1 for the quarter then open, a Form 4, an analyst rating and an article dated D+1. Rebuilt from scratch,
no input and no score on or before D may change, and the ticker's rows after D must (so the additions were
seen at all). Then the seed CLI's one-ticker run (dbt var scores_tickers) re-scores one ticker for one
session and leaves every other row alone.

A split before D, worked by hand: SPLIT_TICKER splits 4-for-1 on S. fct_daily_prices holds closes adjusted
to the post-split basis (25.00 on S-1, 25.50 on S: a 2% day); fct_valuation_ratios holds them as traded
(100.00 and 25.50) with the share count and EPS in the same basis, so its market cap is continuous. The
value inputs on S must equal those of S-1 divided by the day's move (1.02), and market cap is never the
adjusted close x the filed share count (25.00 x 2e8 = 5e9 on S-1, off by the split ratio).
"""

from __future__ import annotations

from datetime import date, timedelta

import psycopg
import pytest

from tests.support.scores_dbt import ScoresDbt
from valuation_platform.generator.score_inputs import write_score_inputs, write_valuation_ratios

START, END = date(2026, 5, 4), date(2026, 6, 30)
D = date(2026, 6, 15)
TICKER, CIK = "T0007", 9000007
SPLIT_TICKER, BEFORE_SPLIT, SPLIT_DAY = "T0005", date(2026, 5, 29), date(2026, 6, 1)  # a Friday and the Monday
SPLIT_MEASURES = ("close", "market_cap", "shares_outstanding", "pe_ratio", "earnings_yield", "book_yield",
                  "sales_yield", "insider_net_30d_pct_mcap", "institutional_pct")


def snapshot(conn: psycopg.Connection, table: str) -> dict[tuple[str, date], tuple]:
    cur = conn.execute(f"select * from marts.{table} order by ticker, score_date")
    names = [d.name for d in cur.description]
    return {(r[names.index("ticker")], r[names.index("score_date")]): r for r in cur.fetchall()}


def split_four_for_one(conn: psycopg.Connection) -> None:
    """SPLIT_TICKER's two sessions around its split, with one Form 4 buy and one 13F quarter of its own."""
    conn.execute("update marts.fct_daily_prices set close = case trade_date when %s then 25.0 else 25.5 end"
                 " where ticker = %s and trade_date in (%s, %s)", (BEFORE_SPLIT, SPLIT_TICKER, BEFORE_SPLIT, SPLIT_DAY))
    conn.execute("insert into marts.fct_split_factors values (%s, '0001-01-01', %s, 1), (%s, %s, '9999-12-31', 4)",
                 (SPLIT_TICKER, SPLIT_DAY, SPLIT_TICKER, SPLIT_DAY))
    # as traded: (close, split factor, TTM EPS, shares, market cap, P/E, P/B, P/S); equity 4e9, revenue 1e10
    for day, row in ((BEFORE_SPLIT, (100.0, 1, 5.0, 2e8, 2e10, 20.0, 5.0, 2.0)),
                     (SPLIT_DAY, (25.5, 4, 1.25, 8e8, 2.04e10, 20.4, 5.1, 2.04))):
        conn.execute("""update marts.fct_valuation_ratios set close = %s, split_factor = %s, eps_ttm = %s,
                            shares_outstanding = %s, market_cap = %s, pe_ratio = %s, pb_ratio = %s, ps_ratio = %s,
                            shareholders_equity = 4e9, revenue_ttm = 1e10
                        where ticker = %s and trade_date = %s""", (*row, SPLIT_TICKER, day))
    conn.execute("delete from marts.fct_insider_trades where ticker = %s", (SPLIT_TICKER,))
    conn.execute("insert into marts.fct_insider_trades values (%s, '2026-05-20', 'P', false, 'A', 1e6)", (SPLIT_TICKER,))
    conn.execute("delete from marts.fct_institutional_holdings where ticker = %s and report_period = '2026-03-31'",
                 (SPLIT_TICKER,))
    conn.execute("insert into marts.fct_institutional_holdings values (%s, '2026-03-31', 4242, 5e7, 'SH', null, '2026-04-20')",
                 (SPLIT_TICKER,))


def add_news_of_the_next_day(conn: psycopg.Connection) -> None:
    after = D + timedelta(days=1)
    conn.execute("""insert into marts.fct_financial_statements
                    values (%s, 2100, 'Q1', %s, %s, 9e9, -5e9, -50, -4e9, -1e9, 1e8, 9e9, -4e9, 1e8)""",
                 (CIK, D - timedelta(days=1), after))
    conn.execute("""insert into marts.fct_financial_ratios
                    values (%s, 2100, 'Q1', 36e9, -20e9, 5e10, -50, 0.01, 0.05, -2, -0.55, null, -0.9)""", (CIK,))
    conn.execute("""insert into staging.stg_sec__facts
                    values (%s, 'dei', 'EntityCommonStockSharesOutstanding', 'shares', %s, %s, 1e10)""", (CIK, after, after))
    conn.execute("""insert into marts.fct_institutional_holdings
                    values (%s, '2026-03-31', 424242, 999999999, 'SH', null, %s)""", (TICKER, after))
    conn.execute("insert into marts.fct_insider_trades values (%s, %s, 'S', false, 'D', 5e9)", (TICKER, after))
    conn.execute("insert into marts.fct_analyst_ratings values ('late', %s, %s, 'firm 99', 1, 1.0)", (TICKER, after))
    conn.execute("insert into marts.fct_news_sentiment values (%s, %s, -1.0)", (TICKER, after))
    write_valuation_ratios(conn, since=after)  # the ratios rows D+1 onward see the new filing and share count


def test_data_public_after_d_changes_nothing_on_or_before_d(pg_admin, tmp_path_factory) -> None:
    from valuation_platform.warehouse.embedded import drop_database, ensure_database

    name = "vpt_scores_point_in_time"
    drop_database(pg_admin, name)
    ensure_database(pg_admin, name)
    db = pg_admin.with_dbname(name)
    try:
        with psycopg.connect(db.url) as conn:
            write_score_inputs(conn, companies=12, start=START, end=END)
            split_four_for_one(conn)
        dbt = ScoresDbt(db, tmp_path_factory.mktemp("dbt_pit"))
        dbt.build()
        with psycopg.connect(db.url) as conn:
            before = {t: snapshot(conn, t) for t in ("fct_ic_score_inputs", "fct_ic_scores")}
            split = {day: dict(zip(SPLIT_MEASURES, row)) for day, *row in conn.execute(
                f"select score_date, {', '.join(SPLIT_MEASURES)} from marts.fct_ic_score_inputs"
                " where ticker = %s and score_date in (%s, %s)", (SPLIT_TICKER, BEFORE_SPLIT, SPLIT_DAY))}
            quarters = conn.execute(
                "select operating_income, interest_expense from marts.fct_financial_statements where cik = %s"
                " and fiscal_period like 'Q%%' and filed <= %s order by period_end desc limit 4", (CIK, D)).fetchall()
            coverage = dict(conn.execute("select ticker, interest_coverage from marts.fct_ic_score_inputs"
                                         " where score_date = %s and ticker in (%s, %s)", (D, TICKER, SPLIT_TICKER)).fetchall())
            add_news_of_the_next_day(conn)
        dbt.build(full_refresh=True)
        with psycopg.connect(db.url) as conn:
            after = {t: snapshot(conn, t) for t in ("fct_ic_score_inputs", "fct_ic_scores")}
            next_day = conn.execute("select score_date, shares_outstanding, market_cap, close from marts.fct_ic_score_inputs"
                                    " where ticker = %s and score_date > %s order by score_date limit 1",
                                    (TICKER, D)).fetchone()
            # the seed CLI's one-ticker run: spoil session D, re-score one ticker for that session only
            conn.execute("update marts.fct_ic_scores set overall_score = 1 where score_date = %s", (D,))
        dbt.build(variables={"window_start": D.isoformat(), "window_end": D.isoformat(), "scores_tickers": ["T0003"]})
        with psycopg.connect(db.url) as conn:
            rerun = snapshot(conn, "fct_ic_scores")
    finally:
        drop_database(pg_admin, name)

    for table in before:
        assert before[table].keys() == after[table].keys()
        up_to_d = [k for k in before[table] if k[1] <= D]
        assert len({k[1] for k in up_to_d}) > 200  # a year of sessions up to D
        changed = [k for k in up_to_d if before[table][k] != after[table][k]]
        assert changed == [], f"{table}: rows on or before {D} changed: {changed[:5]}"
    later = [k for k in before["fct_ic_score_inputs"] if k[0] == TICKER and k[1] > D]
    assert later and all(before["fct_ic_score_inputs"][k] != after["fct_ic_score_inputs"][k] for k in later)
    assert any(before["fct_ic_scores"][k] != after["fct_ic_scores"][k] for k in later)
    # the one ticker is scored again exactly as in the full run (ranked against every peer), the rest untouched
    assert rerun[("T0003", D)] == after["fct_ic_scores"][("T0003", D)]
    assert {k[0] for k in rerun if k[1] == D and rerun[k] != after["fct_ic_scores"][k]} == {
        k[0] for k in rerun if k[1] == D and k[0] != "T0003"}

    # the share count filed D+1 reached the inputs through fct_valuation_ratios (no split: the close as traded)
    assert next_day[1] == 1e10 and next_day[2] == pytest.approx(next_day[3] * 1e10)

    # the split by hand: on S-1, 100.00 x 2e8 = 2e10 of market cap; EPS 5 / 100 = 0.05; equity 4e9 / 2e10 = 0.2;
    # revenue 1e10 / 2e10 = 0.5; Form 4 buy 1e6 / 2e10 = 5e-5; 13F 5e7 shares / 2e8 = 0.25
    pre, post = split[BEFORE_SPLIT], split[SPLIT_DAY]
    assert pre["close"] == 25.0 and post["close"] == 25.5  # the technicals' split-adjusted basis is kept
    assert pre["market_cap"] == pytest.approx(2e10) and pre["shares_outstanding"] == pytest.approx(2e8)
    assert pre["pe_ratio"] == pytest.approx(20.0)
    assert pre["earnings_yield"] == pytest.approx(0.05) and pre["book_yield"] == pytest.approx(0.2)
    assert pre["sales_yield"] == pytest.approx(0.5) and pre["insider_net_30d_pct_mcap"] == pytest.approx(5e-5)
    assert pre["institutional_pct"] == pytest.approx(0.25)
    # on S: 25.50 x 8e8 = 2.04e10; EPS 1.25 / 25.5 = 0.0490196...; 4e9 / 2.04e10 = 0.1960784...; and the 13F
    # quarter (counted before the split) moved to the day's basis: 5e7 x 4 / 8e8 = 0.25, unchanged
    assert post["market_cap"] == pytest.approx(2.04e10) and post["shares_outstanding"] == pytest.approx(8e8)
    assert post["earnings_yield"] == pytest.approx(0.04901960784) and post["book_yield"] == pytest.approx(0.19607843137)
    assert post["sales_yield"] == pytest.approx(0.49019607843) and post["insider_net_30d_pct_mcap"] == pytest.approx(4.901960784e-5)
    assert post["institutional_pct"] == pytest.approx(0.25)
    # i.e. the same inputs on both sides up to the day's 2% move, not a 4x jump
    for measure in ("earnings_yield", "book_yield", "sales_yield", "insider_net_30d_pct_mcap"):
        assert post[measure] * 1.02 == pytest.approx(pre[measure]), measure

    # interest coverage on D: the four quarters public then, operating income over interest expense, summed
    # here; the generator gives every seventh CIK (T0005) no interest expense: NULL, not zero
    assert len(quarters) == 4
    assert coverage[TICKER] == pytest.approx(float(sum(q[0] for q in quarters) / sum(q[1] for q in quarters)))
    assert coverage[SPLIT_TICKER] is None
