"""fct_ic_score_quality at the scale the daily cycle sees: 4,600 tickers x 306 sessions of prices and IC Scores
(1.4 M score rows, ten factor columns, eleven sectors). Times a full build of the model, then adds one session
of prices and scores and times the incremental run (the daily one: one new score date has a known forward
return, and the last scores_quality_lookback dates are recomputed).

The two input marts are written straight into a scratch database of the embedded Postgres with their contract
columns (and fct_ic_scores' unique index), synthetic values: the figures are the model's SQL time (dbt's
execution time of the node), not dbt's start-up or parse, nor the values' meaning.

    nice -n 19 .venv/bin/python benchmarks/bench_score_quality.py [--tickers 4600] [--sessions 306]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import psycopg  # noqa: E402
from scratch import drop_scratch, scratch_database, weekday_sessions  # noqa: E402

from valuation_platform.lib.dbt import DBT_PROJECT_DIR  # noqa: E402

MODEL = "fct_ic_score_quality"
SECTORS = ["Technology", "Healthcare", "Financials", "Consumer Discretionary", "Consumer Staples", "Energy",
           "Industrials", "Materials", "Utilities", "Real Estate", "Communication Services"]
FACTORS = ["value", "growth", "profitability", "financial_health", "momentum", "analyst_consensus",
           "insider_activity", "institutional", "news_sentiment", "technical"]
TARGET = Path(tempfile.mkdtemp(prefix="bench_score_quality_"))  # its own target/: partial parsing stays valid


def create_marts(conn: psycopg.Connection) -> None:
    """The two marts the model reads, with their yml contract columns; fct_ic_scores with its model's index."""
    conn.execute("create schema marts")
    conn.execute("create table marts.fct_daily_prices (ticker text, trade_date date, open double precision,"
                 " high double precision, low double precision, close double precision, volume double precision,"
                 " vwap double precision)")
    factor_columns = ", ".join(f"{f}_score double precision" for f in FACTORS)
    conn.execute(f"create table marts.fct_ic_scores (ticker text, score_date date, overall_score integer,"
                 f" rating text, {factor_columns}, sector text, peer_group text, peer_count bigint,"
                 f" sector_percentile double precision, data_completeness double precision, confidence_level text)")
    conn.execute("create unique index on marts.fct_ic_scores (ticker, score_date)")


def add_sessions(conn: psycopg.Connection, tickers: int, days: list[date]) -> None:
    """Every ticker's bar and score on ``days``: random closes, scores and factor scores (a tenth of each factor
    missing, as factors without data), ticker k in sector k mod 11."""
    # the random values are drawn in a subquery: one draw per row, reused by the columns derived from it
    conn.execute(
        """insert into marts.fct_daily_prices
           select ticker, trade_date, close * 0.99, close * 1.02, close * 0.98, close, volume, close
           from (select 'T' || lpad(t::text, 5, '0') as ticker, day as trade_date, 5 + 300 * random() as close,
                        1e6 * random() as volume
                 from unnest(%s::date[]) as day, generate_series(1, %s) as t) as bars""",
        (days, tickers))
    factors = ", ".join("case when random() < 0.1 then null else 100 * random() end" for _ in FACTORS)
    conn.execute(
        f"""insert into marts.fct_ic_scores
            select ticker, day, overall, case when overall > 66 then 'Buy' when overall > 33 then 'Hold' else 'Sell' end,
                   {factors}, sector, 'sector', {tickers // len(SECTORS)}, random(), random(), 'high'
            from (select 'T' || lpad(t::text, 5, '0') as ticker, day, (1 + floor(100 * random()))::int as overall,
                         (%s::text[])[1 + t %% {len(SECTORS)}] as sector
                  from unnest(%s::date[]) as day, generate_series(1, %s) as t) as scores""",
        (SECTORS, days, tickers))
    conn.execute("analyze marts.fct_daily_prices")  # as the marts' post-hook: the model is planned on statistics
    conn.execute("analyze marts.fct_ic_scores")


def run_model(full_refresh: bool = False) -> float:
    """`dbt run` of the model alone, in-process; dbt's execution time of the node in seconds."""
    from dbt.cli.main import dbtRunner

    command = ["run", "--select", MODEL, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir",
               str(DBT_PROJECT_DIR), "--target-path", str(TARGET), "--log-path", str(TARGET / "logs"), "--quiet"]
    result = dbtRunner().invoke([*command, "--full-refresh"] if full_refresh else command)
    assert result.success, result.exception or [r.message for r in result.result or []]
    (node,) = result.result.results
    return float(node.execution_time)


def table_shape(conn: psycopg.Connection) -> tuple[int, int, date]:
    return conn.execute(f"select count(*), count(distinct score_date), max(score_date) from marts.{MODEL}").fetchone()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickers", type=int, default=4600)
    parser.add_argument("--sessions", type=int, default=306)
    args = parser.parse_args()

    db = scratch_database("vp_bench_score_quality")
    os.environ.update(db.dbt_env())
    sessions = weekday_sessions(date(2026, 11, 20), args.sessions + 1)  # the full build's, then one more for the daily run
    history, new_day = sessions[:-1], sessions[-1]

    started = time.perf_counter()
    with psycopg.connect(db.url) as conn:
        create_marts(conn)
        add_sessions(conn, args.tickers, history)
        scores = conn.execute("select count(*) from marts.fct_ic_scores").fetchone()[0]
    print(f"input marts: {args.tickers:,} tickers x {len(history)} sessions, {scores:,} score rows,"
          f" written in {time.perf_counter() - started:.1f}s")

    try:
        seconds = run_model(full_refresh=True)
        with psycopg.connect(db.url) as conn:
            rows, dates, last = table_shape(conn)
        print(f"full build     : {seconds:7.1f}s  ({rows:,} rows, {dates} score dates up to {last})")

        with psycopg.connect(db.url) as conn:
            add_sessions(conn, args.tickers, [new_day])
        seconds = run_model()
        with psycopg.connect(db.url) as conn:
            rows, dates, last = table_shape(conn)
        print(f"incremental run: {seconds:7.1f}s  (session {new_day} added: {rows:,} rows, {dates} score dates up to"
              f" {last}; the new date and the lookback's recomputed)")
    finally:
        drop_scratch(db)


if __name__ == "__main__":
    main()
