"""Throughput of the ownership loads into Postgres (discover, fetch, parse, upsert) from a generated mirror.

    .venv/bin/python benchmarks/ownership_load.py [--companies 300] [--days 30] [--filers 40]

Uses the embedded Postgres (or VP_DATABASE_URL) in a scratch database that is dropped afterwards.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from valuation_platform.generator.ownership import write_ownership_data  # noqa: E402
from valuation_platform.generator.universe import us_companies  # noqa: E402
from valuation_platform.pipelines.ownership.form4_load import load_form4  # noqa: E402
from valuation_platform.pipelines.ownership.form13f_load import load_13f  # noqa: E402
from valuation_platform.sources.http import HttpClient  # noqa: E402
from valuation_platform.sources.sec.calendar import sec_business_days  # noqa: E402
from valuation_platform.warehouse.bootstrap import ensure_tables  # noqa: E402
from valuation_platform.warehouse.connection import connect  # noqa: E402
from valuation_platform.warehouse.embedded import drop_database, embedded_settings, ensure_database  # noqa: E402
from valuation_platform.warehouse.tables.ownership import OWNERSHIP_TABLES  # noqa: E402

END = date(2026, 11, 20)
DB = "vpbench_ownership"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--companies", type=int, default=300)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--filers", type=int, default=40)
    args = parser.parse_args()
    admin = embedded_settings("postgres")
    drop_database(admin, DB)
    ensure_database(admin, DB)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            start = END - timedelta(days=args.days)
            started = time.perf_counter()
            result = write_ownership_data(
                root, us_companies(args.companies), start, END, n_filers=args.filers
            )
            print(
                f"generated {len(result.form4):,} Form 4 and {len(result.form13f):,} 13F filings "
                f"in {time.perf_counter() - started:.1f}s"
            )
            client = HttpClient(source_root=root)
            with connect(admin.with_dbname(DB)) as conn:
                ensure_tables(conn, OWNERSHIP_TABLES)
                days = sec_business_days(start, END)
                for label in ("first load", "re-run (nothing new)"):
                    started = time.perf_counter()
                    load = load_form4(conn, client, days, universe_ciks=None)
                    seconds = time.perf_counter() - started
                    print(
                        f"form4 {label:<22} {len(days)} days, {len(load.loaded):>6,} filings, "
                        f"{load.rows_in:>7,} lines in {seconds:6.2f}s "
                        f"({len(load.loaded) / seconds:,.0f} filings/s)"
                    )
                periods = sorted({f["report_period"] for f in result.form13f})
                for label in ("first load", "re-run (nothing new)"):
                    started = time.perf_counter()
                    load13 = load_13f(conn, client, periods)
                    seconds = time.perf_counter() - started
                    print(
                        f"13f   {label:<22} {len(periods)} quarters, {len(load13.loaded):>4,} filings, "
                        f"{load13.holdings_in:>7,} holdings in {seconds:6.2f}s "
                        f"(data sets {load13.datasets or 'none'}, {load13.indexes_read} daily indexes read)"
                    )
    finally:
        drop_database(admin, DB)


if __name__ == "__main__":
    main()
