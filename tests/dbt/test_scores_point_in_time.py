"""Point in time: the IC Score of day D uses only data public on D.

A small warehouse of input marts (generator.score_inputs: 12 companies) is scored with the scores models;
then everything a ticker could learn the day after D is added: a new quarter's statement filed D+1, a new
cover-page share count, a 13F holding filed D+1 for the quarter then open, a Form 4, an analyst rating
and an article dated D+1. Rebuilt from scratch, no input and no score on or before D may change, and the
ticker's rows after D must (so the additions were seen at all). Then the seed CLI's one-ticker run
(dbt var scores_tickers) re-scores one ticker for one session and leaves every other row alone.
"""

from __future__ import annotations

from datetime import date, timedelta

import psycopg
import pytest

from tests.support.scores_dbt import ScoresDbt
from valuation_platform.generator.score_inputs import write_score_inputs

START, END = date(2026, 5, 4), date(2026, 6, 30)
D = date(2026, 6, 15)
TICKER, CIK = "T0007", 9000007


def snapshot(conn: psycopg.Connection, table: str) -> dict[tuple[str, date], tuple]:
    cur = conn.execute(f"select * from marts.{table} order by ticker, score_date")
    names = [d.name for d in cur.description]
    return {(r[names.index("ticker")], r[names.index("score_date")]): r for r in cur.fetchall()}


def add_news_of_the_next_day(conn: psycopg.Connection) -> None:
    after = D + timedelta(days=1)
    conn.execute("""insert into marts.fct_financial_statements
                    values (%s, 2100, 'Q1', %s, %s, 9e9, -5e9, -50, -4e9, -1e9, 1e8, 9e9)""", (CIK, D - timedelta(days=1), after))
    conn.execute("""insert into marts.fct_financial_ratios
                    values (%s, 2100, 'Q1', 36e9, -20e9, 5e10, -50, 0.01, 0.05, -2, -0.55, null, -0.9)""", (CIK,))
    conn.execute("""insert into staging.stg_sec__facts
                    values (%s, 'dei', 'EntityCommonStockSharesOutstanding', 'shares', %s, %s, 1e10)""", (CIK, after, after))
    conn.execute("""insert into marts.fct_institutional_holdings
                    values (%s, '2026-03-31', 424242, 999999999, 'SH', null, %s)""", (TICKER, after))
    conn.execute("insert into marts.fct_insider_trades values (%s, %s, 'S', false, 'D', 5e9)", (TICKER, after))
    conn.execute("insert into marts.fct_analyst_ratings values ('late', %s, %s, 'firm 99', 1, 1.0)", (TICKER, after))
    conn.execute("insert into marts.fct_news_sentiment values (%s, %s, -1.0)", (TICKER, after))


def test_data_public_after_d_changes_nothing_on_or_before_d(pg_admin, tmp_path_factory) -> None:
    from valuation_platform.warehouse.embedded import drop_database, ensure_database

    name = "vpt_scores_point_in_time"
    drop_database(pg_admin, name)
    ensure_database(pg_admin, name)
    db = pg_admin.with_dbname(name)
    try:
        with psycopg.connect(db.url) as conn:
            write_score_inputs(conn, companies=12, start=START, end=END)
        dbt = ScoresDbt(db, tmp_path_factory.mktemp("dbt_pit"))
        dbt.build()
        with psycopg.connect(db.url) as conn:
            before = {t: snapshot(conn, t) for t in ("fct_ic_score_inputs", "fct_ic_scores")}
            add_news_of_the_next_day(conn)
        dbt.build(full_refresh=True)
        with psycopg.connect(db.url) as conn:
            after = {t: snapshot(conn, t) for t in ("fct_ic_score_inputs", "fct_ic_scores")}
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
