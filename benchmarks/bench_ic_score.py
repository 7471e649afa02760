"""IC Score at the seed's scale: 4,600 tickers. Times the scores dbt models for a 252-session backfill and
for one new session (incremental, the daily run), and the one-ticker latest-score lookup BI and any
Postgres client use instead of the seed's `/api/scores/{ticker}` (its plan's target: 100 ms per request).

The input marts are written straight into a scratch database by generator.score_inputs (same columns the
models read) so the figures are the scores models' own, not the whole platform's.

    .venv/bin/python benchmarks/bench_ic_score.py [--companies 4600] [--sessions 252]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import psycopg  # noqa: E402
from scratch import drop_scratch, scratch_database, weekday_sessions  # noqa: E402

from valuation_platform.generator.score_inputs import write_score_inputs  # noqa: E402

SEED_API_TARGET_MS = 100.0  # the seed plan's REST API target for /api/scores/{ticker}
TARGET_MS = 10.0  # this target for the same lookup
MODELS = ["path:models/intermediate/scores", "fct_ic_score_inputs", "fct_ic_scores"]


TARGET = Path(tempfile.mkdtemp(prefix="bench_ic_score_"))  # its own target/: partial parsing stays valid


def dbt(db, *args: str) -> float:  # noqa: ANN001
    """Runs dbt; returns the seconds dbt spent executing (run_results.json), not its start-up and parse."""
    env = {**os.environ, **db.dbt_env()}
    subprocess.run([str(Path(sys.executable).parent / "dbt"), *args, "--project-dir", str(REPO / "dbt_project"),
                    "--profiles-dir", str(REPO / "dbt_project"), "--target-path", str(TARGET), "--quiet"],
                   env=env, check=True)
    return json.loads((TARGET / "run_results.json").read_text())["elapsed_time"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--companies", type=int, default=4600)
    parser.add_argument("--sessions", type=int, default=252)
    args = parser.parse_args()

    db = scratch_database("vp_bench_ic_score")
    sessions = weekday_sessions(date(2026, 11, 20), args.sessions + 1)  # the backfill, then one more for the daily run
    backfill, new_day = sessions[:-1], sessions[-1]

    started = time.perf_counter()
    with psycopg.connect(db.url) as conn:
        write_score_inputs(conn, companies=args.companies, start=sessions[0], end=sessions[-1])
    print(f"input marts written for {args.companies:,} tickers in {time.perf_counter() - started:.1f}s")

    dbt(db, "seed", "--select", "ic_score_weights")  # also the one full parse
    window = {"window_start": backfill[0].isoformat(), "window_end": backfill[-1].isoformat()}
    seconds = dbt(db, "run", "--select", *MODELS, "--full-refresh", "--vars", json.dumps(window))
    with psycopg.connect(db.url) as conn:
        rows = conn.execute("select count(*) from marts.fct_ic_scores").fetchone()[0]
    print(f"backfill   {len(backfill)} sessions: {seconds:7.1f}s  ({rows:,} score rows, {rows / seconds:,.0f} rows/s)")

    one_day = {"window_start": new_day.isoformat(), "window_end": new_day.isoformat()}
    seconds = dbt(db, "run", "--select", *MODELS, "--vars", json.dumps(one_day))
    with psycopg.connect(db.url) as conn:
        rows = conn.execute("select count(*) from marts.fct_ic_scores where score_date = %s", (new_day,)).fetchone()[0]
    print(f"one day    {new_day}: {seconds:7.1f}s  ({rows:,} score rows; incremental delete+insert of the session)")

    with psycopg.connect(db.url) as conn:
        tickers = [r[0] for r in conn.execute("select ticker from marts.dim_company").fetchall()]
        sample = random.Random(7).sample(tickers, min(500, len(tickers)))
        query = "select * from marts.fct_ic_scores where ticker = %s order by score_date desc limit 1"
        conn.execute(query, (sample[0],)).fetchone()  # warm the plan cache and the index pages
        timings = []
        for ticker in sample:
            t0 = time.perf_counter()
            conn.execute(query, (ticker,)).fetchone()
            timings.append((time.perf_counter() - t0) * 1000)
        plan = conn.execute("explain " + query, (sample[0],)).fetchall()[0][0]
        total = conn.execute("select count(*) from marts.fct_ic_scores").fetchone()[0]
    timings.sort()
    p99 = timings[int(0.99 * (len(timings) - 1))]
    print(f"latest score of one ticker over {total:,} rows ({len(sample)} lookups): median "
          f"{statistics.median(timings):.2f} ms, p99 {p99:.2f} ms  | target {TARGET_MS:.0f} ms | "
          f"seed plan API target {SEED_API_TARGET_MS:.0f} ms")
    print(f"plan: {plan}")
    drop_scratch(db)


if __name__ == "__main__":
    main()
