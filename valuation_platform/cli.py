"""`vp`: generate sample mirrors, prepare dbt, and materialize the whole graph from a terminal."""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SAMPLES = REPO / "data" / "samples"


def _prepare_dbt() -> None:
    from valuation_platform.lib.dbt import DBT_PROJECT

    DBT_PROJECT.preparer.prepare(DBT_PROJECT)


def _dagster_home() -> Path:
    from valuation_platform.warehouse.settings import project_home

    home = Path(os.environ.get("DAGSTER_HOME") or project_home() / "dagster_home")
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"  # default local storage; deploy/dagster.yaml is the Postgres one
    if not config.exists():
        config.write_text("telemetry:\n  enabled: false\n")
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def cmd_generate(args: argparse.Namespace) -> int:
    from valuation_platform.generator.mirror import write_mirror

    started = time.perf_counter()
    summary = write_mirror(Path(args.out), companies=args.companies, as_of=date.fromisoformat(args.as_of),
                           seed=args.seed, with_faults=not args.no_faults)
    for line in summary:
        print(line)
    print(f"wrote mirror {args.out} in {time.perf_counter() - started:.1f}s")
    return 0


def cmd_prepare(_: argparse.Namespace) -> int:
    _prepare_dbt()
    print("dbt manifest ready")
    return 0


def warehouse_counts(settings) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    from valuation_platform.warehouse.connection import connect

    with connect(settings) as conn:
        tables = conn.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema in ('raw', 'marts', 'analytics') and table_type = 'BASE TABLE' order by 1"
        ).fetchall()
        return [(t, conn.execute(f"select count(*) from {t}").fetchone()[0]) for (t,) in tables]


def cmd_materialize(args: argparse.Namespace) -> int:
    if args.samples and not os.environ.get("VP_SOURCE_ROOT"):
        os.environ["VP_SOURCE_ROOT"] = str(DEFAULT_SAMPLES)
    _dagster_home()
    _prepare_dbt()

    import dagster as dg

    from valuation_platform.definitions import build_defs
    from valuation_platform.lib.runner import SAMPLE_WINDOW, materialize_all, summarize
    from valuation_platform.warehouse.connection import connect, resolve_settings
    from valuation_platform.warehouse.settings import DEFAULT_DBNAME

    defs = build_defs()
    print(f"sources: {os.environ.get('VP_SOURCE_ROOT') or 'live hosts'}")
    settings = resolve_settings(os.environ.get("VP_DATABASE_URL"), DEFAULT_DBNAME)
    print(f"warehouse: {settings.redacted()}")
    started = time.perf_counter()
    with dg.DagsterInstance.get() as instance:
        results = materialize_all(defs, instance, SAMPLE_WINDOW)
    ok = all(r.success for r in results)
    print(f"\n{'all stages succeeded' if ok else 'a stage FAILED'} in {time.perf_counter() - started:.1f}s\n")
    print("what landed:")
    print(summarize(warehouse_counts(settings)))
    with connect(settings) as conn:
        bad = conn.execute("select source, document, reason from raw.quarantine order by 1, 2").fetchall()
    if bad:
        print(f"\nquarantined documents ({len(bad)}), each with its reason:")
        for source, document, reason in bad:
            print(f"  {source:8} {document:40} {reason[:90]}")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="vp", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write a mirror of generated source payloads")
    gen.add_argument("--out", default=str(DEFAULT_SAMPLES))
    gen.add_argument("--companies", type=int, default=30, help="US companies (4600 for the benchmark scale)")
    gen.add_argument("--as-of", default="2026-11-20")
    gen.add_argument("--seed", type=int, default=7)
    gen.add_argument("--no-faults", action="store_true", help="omit the deliberately broken documents")
    gen.set_defaults(func=cmd_generate)

    prep = sub.add_parser("prepare", help="parse the dbt project (writes the manifest Dagster loads)")
    prep.set_defaults(func=cmd_prepare)

    demo = sub.add_parser("demo", help="materialize the whole graph on the bundled sample mirror")
    demo.set_defaults(func=cmd_materialize, samples=True)

    run = sub.add_parser("materialize", help="materialize the whole graph from VP_SOURCE_ROOT (or live)")
    run.set_defaults(func=cmd_materialize, samples=False)

    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
