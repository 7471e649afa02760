"""NSE trading inputs: parse the real files with our parsers beside pandas.read_csv (the peer), and load a
generated full-size sample (every classified company's EQUITY_L row, a week of daily documents) into Postgres.

    .venv/bin/python benchmarks/bench_trading.py [--companies 8054] [--investable 2160] [--repeat 5]

* parse: the real EQUITY_L (300 rows), SEBI PIT export (242 rows) and bulk.csv (127 rows) from
  ../shared/fixtures/nse, ours (typed rows, per-row errors) vs ``pandas.read_csv`` (untyped frame), best of
  ``--repeat``;
* load: ``write_trading_data`` for the India sample into a temporary mirror, then the five pipeline steps
  against the embedded warehouse (a scratch database), a second time to show the idempotent re-run.

Prints rows and wall times; asserts nothing.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "nse"


def best(repeat: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def bench_parse(repeat: int) -> None:
    import io

    import pandas as pd

    from valuation_platform.sources.nse.deals import parse_deals_csv
    from valuation_platform.sources.nse.equity_list import parse_equity_list
    from valuation_platform.sources.nse.insider import parse_insider_csv

    cases = {
        "EQUITY_L_first300.csv": lambda b: parse_equity_list(b, document="EQUITY_L"),
        "CF-Insider-Trading-equities-19-Jun-2020.csv": lambda b: parse_insider_csv(b, document="pit"),
        "nse_bulk_deals_bulk.csv_20260821.csv": lambda b: parse_deals_csv(b, document="bulk", deal_type="BULK"),
    }
    print(f"{'file':45s} {'rows':>5s} {'ours ms':>8s} {'pandas ms':>10s}")
    for name, parse in cases.items():
        payload = (FIXTURES / name).read_bytes()
        ours, parsed = best(repeat, lambda: parse(payload))
        peer, frame = best(repeat, lambda: pd.read_csv(io.BytesIO(payload), encoding="utf-8-sig"))
        print(f"{name:45s} {len(parsed.rows):5d} {ours * 1e3:8.2f} {peer * 1e3:10.2f}   (pandas rows {len(frame)})")


def bench_load(companies: int, investable: int) -> None:
    from valuation_platform.generator.india import india_companies
    from valuation_platform.generator.trading import write_trading_data
    from valuation_platform.generator.valuation import sample_companies, sessions_between
    from valuation_platform.pipelines.trading.calendar import load_corporate_calendar
    from valuation_platform.pipelines.trading.deals import load_bulk_block_deals
    from valuation_platform.pipelines.trading.flows import load_institutional_flows
    from valuation_platform.pipelines.trading.insider import load_insider_trades
    from valuation_platform.pipelines.trading.symbols import load_symbol_master
    from valuation_platform.sources.http import HttpClient
    from valuation_platform.warehouse.bootstrap import ensure_tables
    from valuation_platform.warehouse.connection import connect
    from valuation_platform.warehouse.embedded import drop_database, embedded_settings, ensure_database
    from valuation_platform.warehouse.tables import trading

    as_of = date(2026, 11, 20)
    sessions = sessions_between(as_of - timedelta(days=7), as_of)
    keys = [d.isoformat() for d in sessions]
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        rows = india_companies(companies, investable)
        sample = write_trading_data(Path(tmp), rows, sample_companies(rows, 60), sessions, as_of=as_of)
        print(f"generate: {sample} in {time.perf_counter() - started:.2f}s")
        admin = embedded_settings("postgres")
        drop_database(admin, "bench_trading")
        ensure_database(admin, "bench_trading")
        client = HttpClient(source_root=tmp)
        steps = {
            "symbol master": lambda c: load_symbol_master(c, client, asset_key="nse_equity_list"),
            "calendar": lambda c: load_corporate_calendar(c, client, keys, asset_key="nse_corporate_events"),
            "flows": lambda c: load_institutional_flows(c, client, asset_key="nse_institutional_flows"),
            "insider": lambda c: load_insider_trades(c, client, keys, asset_key="nse_insider_trades"),
            "deals": lambda c: load_bulk_block_deals(c, client, keys, asset_key="nse_bulk_block_deals"),
        }
        try:
            with connect(admin.with_dbname("bench_trading")) as conn:
                ensure_tables(conn, [trading.NSE_EQUITY_LIST, trading.NSE_INDEX_CONSTITUENTS,
                                     trading.NSE_CORPORATE_EVENTS, trading.NSE_INSTITUTIONAL_FLOWS,
                                     trading.NSE_INSIDER_TRADES, trading.NSE_BULK_BLOCK_DEALS])
                for run in ("first load", "re-run"):
                    for name, step in steps.items():
                        started = time.perf_counter()
                        report = step(conn)
                        print(f"{run:10s} {name:14s} rows {report.get('dagster/row_count', 0):6d} "
                              f"in {time.perf_counter() - started:6.3f}s")
        finally:
            drop_database(admin, "bench_trading")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=8054)
    parser.add_argument("--investable", type=int, default=2160)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    bench_parse(args.repeat)
    bench_load(args.companies, args.investable)


if __name__ == "__main__":
    main()
