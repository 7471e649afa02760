"""India pipeline at full scale: generate, parse, select the universe, build and validate the drivers.

    /work/main/.venv/bin/python benchmarks/bench_india.py [--companies 8054] [--investable 2160]
                                                         [--months 48] [--target 1000] [--repeat 3]

Data: ``write_india_data`` into a temporary directory (the old gem file's size by default: 8,054
companies, 2,160 investable, 48 months of macro series). Timed steps, best of ``--repeat``:

* generate: writing the whole mirror and landing folder (workbook included);
* classification xlsx / csv: ``parse_classification`` on the generated workbook and its CSV export;
* MOSPI fetch+parse: every product-year through ``fetch_mospi_rows`` on the directory mirror, plus the
  six market feeds;
* landing parse: the published-layout CSVs of the landing folder;
* universe: ``select_india_universe`` to ``--target``;
* hierarchy build / validate: ``build_driver_hierarchy`` and ``validate_driver_hierarchy``.

Prints row counts and wall times; asserts nothing.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from valuation_platform.analytics.india.driver_hierarchy import (
    build_driver_hierarchy,
    validate_driver_hierarchy,
)
from valuation_platform.pipelines.india.reference import read_reference_tables
from valuation_platform.analytics.india.universe import select_india_universe
from valuation_platform.generator.india import LANDING_MOSPI_FILES, write_india_data
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.india.classification import parse_classification
from valuation_platform.sources.india.market import MARKET_FEEDS, fetch_market_feed
from valuation_platform.sources.mospi import (
    parse_cpi,
    parse_iip,
    parse_national_accounts,
    parse_plfs,
    parse_wpi,
)
from valuation_platform.sources.mospi.client import fetch_mospi_rows

# The market exports have no public host; the benchmark serves them from its mirror under its own name.
MARKET_SHARE = "https://market-exports.bench.test/india-market"


def best_of(repeat: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--companies", type=int, default=8054)
    parser.add_argument("--investable", type=int, default=2160)
    parser.add_argument("--months", type=int, default=48)
    parser.add_argument("--target", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t, summary = best_of(
            1,
            lambda: write_india_data(
                root, n_companies=args.companies, investable=args.investable, months=args.months,
                market_base_url=MARKET_SHARE,
            ),
        )
        print(
            f"generate            {t:8.3f} s  {len(summary.mirror_files)} mirror files, "
            f"{len(summary.landing_files)} landing files"
        )
        landing = root / "landing" / "india"
        xlsx = (landing / "classification" / "gem_classification.xlsx").read_bytes()
        csv_bytes = (landing / "classification" / "gem_classification.csv").read_bytes()
        t, companies = best_of(args.repeat, lambda: parse_classification(xlsx, document="gem.xlsx"))
        print(f"classification xlsx {t:8.3f} s  {len(companies)} companies ({len(xlsx) / 1e6:.1f} MB)")
        t, companies = best_of(args.repeat, lambda: parse_classification(csv_bytes, document="gem.csv"))
        print(f"classification csv  {t:8.3f} s  {len(companies)} companies")

        client = HttpClient(source_root=root)

        def fetch_all() -> list[dict[str, Any]]:
            rows = [
                r
                for product, requests in summary.mospi_requests.items()
                for params in requests
                for r in fetch_mospi_rows(client, product, params)
            ]
            return rows + [r for feed in MARKET_FEEDS for r in fetch_market_feed(client, feed, base_url=MARKET_SHARE)]

        t, macro_rows = best_of(args.repeat, fetch_all)
        series_ids = {r["series_id"] for r in macro_rows}
        print(
            f"MOSPI+market fetch  {t:8.3f} s  {len(macro_rows)} rows, {len(series_ids)} series "
            f"({len(macro_rows) / t:,.0f} rows/s)"
        )

        mospi = landing / "mospi"
        parsers = {
            "cpi": parse_cpi,
            "iip_use_based": parse_iip,
            "iip_sectoral": parse_iip,
            "wpi": parse_wpi,
            "nas": parse_national_accounts,
            "plfs": parse_plfs,
        }
        payloads = {k: (mospi / LANDING_MOSPI_FILES[k]).read_bytes() for k in parsers}
        t, dropped = best_of(
            args.repeat,
            lambda: [
                r
                for k, p in parsers.items()
                for r in p(payloads[k], document=k, released_at=date(2025, 4, 30))
            ],
        )
        print(f"landing CSV parse   {t:8.3f} s  {len(dropped)} rows")

        reference = read_reference_tables()
        t, selection = best_of(
            args.repeat,
            lambda: select_india_universe(
                companies,
                reference.sector_group_mapping,
                target=args.target,
                alpha_configs=reference.company_alpha_configs,
            ),
        )
        stats = selection.stats
        print(
            f"universe            {t:8.3f} s  {stats['selected']} selected of {stats['eligible']} eligible, "
            f"rejected {stats['rejected_by_reason']}"
        )
        now = datetime.now(UTC)
        t, drivers = best_of(
            args.repeat, lambda: build_driver_hierarchy(reference, macro_rows, selection.selected, now=now)
        )
        print(f"hierarchy build     {t:8.3f} s  {len(drivers)} driver rows")
        t, validation = best_of(
            args.repeat,
            lambda: validate_driver_hierarchy(
                drivers, selection.selected, series_ids, subgroups=reference.subgroup_pairs()
            ),
        )
        print(
            f"hierarchy validate  {t:8.3f} s  {len(validation.violations)} violations, "
            f"{validation.coverage['companies_full_chain']}/{validation.coverage['companies_total']} "
            "full chains"
        )


if __name__ == "__main__":
    main()
