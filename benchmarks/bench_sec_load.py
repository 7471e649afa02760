"""SEC slice at full scale: generate a 4,600-company mirror, then time parse, load and dbt build.

The raw load (each company's facts replaced in one transaction: delete + COPY straight into the table,
skipped when the company's content hash is unchanged) is printed next to a plain COPY of the same rows
into an empty table on the same server: the physical limit the load is measured against. The old path
(COPY into a temp table + INSERT ... ON CONFLICT) is printed too, into a second empty table.

    .venv/bin/python benchmarks/bench_sec_load.py [--companies 4600] [--workers 8]

Uses VP_DATABASE_URL when set, else the embedded Postgres (database ``vp_bench``, dropped first).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl

from valuation_platform.generator.sec import write_sec_mirror
from valuation_platform.generator.universe import us_companies
from valuation_platform.lib.dbt import DBT_PROJECT_DIR
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.sec.companyfacts import fetch_companyfacts
from valuation_platform.sources.sec.submissions import fetch_submissions
from valuation_platform.warehouse.bootstrap import ensure_tables
from valuation_platform.warehouse.connection import connect
from valuation_platform.warehouse.settings import DatabaseSettings
from valuation_platform.warehouse.tables.sec import SEC_COMPANYFACTS, SEC_TABLES, US_UNIVERSE
from valuation_platform.warehouse.replace import replace_partitions
from valuation_platform.warehouse.tables import TableSpec
from valuation_platform.warehouse.upsert import copy_only, upsert


def database(name: str) -> DatabaseSettings:
    if os.environ.get("VP_DATABASE_URL"):
        return DatabaseSettings.from_url(os.environ["VP_DATABASE_URL"])
    from valuation_platform.warehouse.embedded import drop_database, embedded_settings

    admin = embedded_settings("postgres")
    drop_database(admin, name)
    return embedded_settings(name)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--companies", type=int, default=4600)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--keep", help="write the mirror here and keep it")
    args = parser.parse_args()
    root = Path(args.keep or tempfile.mkdtemp(prefix="vp_bench_mirror_"))

    t = time.perf_counter()
    summary = write_sec_mirror(root, args.companies, with_faults=False)
    print(f"generate   {summary.companies:>6} companies  {summary.facts:>11,} facts  {time.perf_counter() - t:8.1f} s")

    client = HttpClient(source_root=root)
    companies = us_companies(args.companies)
    t = time.perf_counter()
    with ThreadPoolExecutor(args.workers) as pool:
        frames = list(pool.map(lambda c: fetch_companyfacts(client, c.cik), companies))
        profiles = list(pool.map(lambda c: fetch_submissions(client, c.cik), companies))
    facts = pl.concat(frames)
    parse_s = time.perf_counter() - t
    print(f"parse      {len(frames):>6} documents  {facts.height:>11,} rows  {parse_s:8.1f} s  "
          f"{facts.height / parse_s:>12,.0f} rows/s")

    db = database("vp_bench")
    universe = [
        {"ticker": c.ticker, "cik": c.cik, "name": p["name"], "exchange": p["exchanges"][0], "sic": p["sic"],
         "sic_description": p["sic_description"], "fiscal_year_end": p["fiscal_year_end"],
         "entity_type": p["entity_type"], "category": p["category"],
         "state_of_incorporation": p["state_of_incorporation"], "latest_10k_filed": p["latest_10k_filed"],
         "is_primary_ticker": True}
        for c, p in zip(companies, profiles)
    ]
    with connect(db) as conn:
        ensure_tables(conn, SEC_TABLES)
        upsert(conn, US_UNIVERSE, universe, source="bench")

        t = time.perf_counter()
        plain = copy_only(conn, SEC_COMPANYFACTS, facts.with_columns(
            pl.lit("bench").alias("_source"), pl.lit(None, dtype=pl.Datetime("us", "UTC")).alias("_fetched_at")))
        copy_s = time.perf_counter() - t

        t = time.perf_counter()
        first = replace_partitions(conn, SEC_COMPANYFACTS, facts, scope=["cik"], source="bench")
        load_s = time.perf_counter() - t

        t = time.perf_counter()
        again = replace_partitions(conn, SEC_COMPANYFACTS, facts, scope=["cik"], source="bench")
        rerun_s = time.perf_counter() - t

        restated = facts.with_columns(pl.col("value") + 1)  # every company refiles: each partition rewritten
        t = time.perf_counter()
        changed = replace_partitions(conn, SEC_COMPANYFACTS, restated, scope=["cik"], source="bench")
        changed_s = time.perf_counter() - t

        legacy = TableSpec(schema="raw", name="bench_companyfacts_upsert", columns=SEC_COMPANYFACTS.columns,
                           key=SEC_COMPANYFACTS.key, indexes=SEC_COMPANYFACTS.indexes)
        ensure_tables(conn, [legacy])
        t = time.perf_counter()
        old = upsert(conn, legacy, facts, source="bench")
        upsert_s = time.perf_counter() - t
    rate = plain / copy_s
    print(f"plain COPY {plain:>18,} rows  {copy_s:8.1f} s  {rate:>12,.0f} rows/s   (physical limit)")
    for label, result, seconds, what in (
        ("replace", first, load_s, f"{first.inserted:,} inserted"),
        ("re-run", again, rerun_s, f"{again.unchanged:,} unchanged"),
        ("restated", changed, changed_s, f"{changed.updated:,} rewritten"),
        ("old upsert", old, upsert_s, f"{old.inserted:,} inserted"),
    ):
        print(f"{label:10} {what:>22}  {seconds:8.1f} s  {result.rows_in / seconds:>12,.0f} rows/s   "
              f"({result.rows_in / seconds / rate:.0%} of plain COPY)")
    assert (again.inserted, again.updated) == (0, 0), "a re-run must write nothing"

    env = os.environ | db.dbt_env()
    t = time.perf_counter()
    dbt = Path(sys.executable).parent / "dbt"
    done = subprocess.run(
        [str(dbt), "build", "--select", "+fct_financial_ratios", "+dim_company", "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", "target/bench"],
        env=env, capture_output=True, text=True,
    )
    dbt_s = time.perf_counter() - t
    status = done.stdout.strip().splitlines()[-1] if done.stdout else done.stderr[-300:]
    with connect(db) as conn:
        statements = conn.execute("select count(*) from marts.fct_financial_statements").fetchone()[0]
    print(f"dbt build  {statements:>11,} statement rows  {dbt_s:8.1f} s   [{status.strip()}]")
    print(f"peak RSS   {rss_mb():,.0f} MB (this process)")


if __name__ == "__main__":
    main()
