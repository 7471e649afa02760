"""`vp`: generate sample mirrors, prepare dbt, and materialize the whole graph from a terminal."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from valuation_platform.lib.runner import PartitionWindow

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SAMPLES = REPO / "data" / "samples"


def _prepare_dbt(settings=None) -> None:  # type: ignore[no-untyped-def]
    """Parse the dbt project with the profile the run will use: dbt's partial parsing starts over whenever
    the profile differs from the last parse, so parsing with another database makes every dbt step re-parse."""
    from valuation_platform.lib.dbt import prepare_manifest

    if settings is not None:
        os.environ.update(settings.dbt_env())
    prepare_manifest()


LOCAL_INSTANCE = """\
# Written by `vp` (vp demo / vp materialize / vp dev): the project's local Dagster instance. Storage is the
# default (SQLite files in this folder); deploy/dagster.yaml is the production (Postgres) one.
telemetry:
  enabled: false
concurrency:
  pools:
    # dbt is the only pool (lib/dbt.py DBT_POOL): one dbt step at a time across all runs, so two runs
    # never rebuild the same models at once. Raise it with `dagster instance concurrency set dbt N`.
    default_limit: 1
"""
_OLD_LOCAL_INSTANCE = "telemetry:\n  enabled: false\n"


def _dagster_home() -> Path:
    """The project's own Dagster instance (``.vp/dagster_home``): `vp demo` fills it, `vp dev` shows it."""
    from valuation_platform.warehouse.settings import project_home

    home = Path(os.environ.get("DAGSTER_HOME") or project_home() / "dagster_home")
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists() or config.read_text() == _OLD_LOCAL_INSTANCE:  # upgrade what an older `vp` wrote
        config.write_text(LOCAL_INSTANCE)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def cmd_generate(args: argparse.Namespace) -> int:
    from valuation_platform.generator.mirror import write_mirror
    from valuation_platform.generator.sec import DEFAULT_AS_OF

    started = time.perf_counter()
    as_of = date.fromisoformat(args.as_of) if args.as_of else DEFAULT_AS_OF
    summary = write_mirror(Path(args.out), companies=args.companies, as_of=as_of,
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


def _window(args: argparse.Namespace) -> PartitionWindow | None:
    from valuation_platform.lib.runner import PartitionWindow

    if args.samples:
        window = mirror_window(DEFAULT_SAMPLES)
        if not getattr(args, "day", None):
            return window
        day = date.fromisoformat(args.day)
        if not window.start <= day <= window.end:
            raise SystemExit(f"--day {day} is outside the sample window {window.start}..{window.end}")
        return PartitionWindow(day, day)
    if not args.start and not args.end:
        return None  # the latest complete partition of each partitions definition
    end = date.fromisoformat(args.end) if args.end else date.today()
    return PartitionWindow(date.fromisoformat(args.start) if args.start else end, end)


def mirror_window(root: Path) -> PartitionWindow:
    """The window a generated mirror covers, from the ``mirror.json`` the generator writes beside it."""
    from valuation_platform.lib.runner import PartitionWindow

    manifest = json.loads((root / "mirror.json").read_text())
    return PartitionWindow(date.fromisoformat(manifest["window_start"]), date.fromisoformat(manifest["window_end"]))


def mirror_settings(root: Path) -> dict[str, str]:
    """The settings a mirror's ``mirror.json`` names (e.g. VP_OPTION_UNDERLYINGS: the chains it holds)."""
    manifest = root / "mirror.json"
    return dict(json.loads(manifest.read_text()).get("settings", {})) if manifest.exists() else {}


def apply_mirror_settings(root: Path) -> None:
    """The mirror's settings, unless the environment already sets them."""
    for name, value in mirror_settings(root).items():
        os.environ.setdefault(name, value)


def selection_predicate(defs, expression: str | None):  # type: ignore[no-untyped-def]
    """``--select``: Dagster's asset-selection syntax; a bare domain name means that domain's group."""
    import dagster as dg

    if not expression:
        return lambda key: True
    graph = defs.resolve_asset_graph()
    groups = {graph.get(k).group_name for k in graph.get_all_asset_keys()}
    text = f"group:{expression}" if expression in groups else expression
    keys = dg.AssetSelection.from_string(text).resolve(graph)
    if not keys:
        raise SystemExit(f"--select {expression!r} matches no asset (domains: {', '.join(sorted(g for g in groups if g))})")
    return lambda key: key in keys


def _tags(pairs: list[str]) -> dict[str, str]:
    bad = [p for p in pairs if "=" not in p]
    if bad:
        raise SystemExit(f"--tag takes KEY=VALUE, got {bad[0]!r}")
    return dict(p.split("=", 1) for p in pairs)


def cmd_materialize(args: argparse.Namespace) -> int:
    if args.samples and not os.environ.get("VP_SOURCE_ROOT"):
        os.environ["VP_SOURCE_ROOT"] = str(DEFAULT_SAMPLES)
    if args.samples:
        apply_mirror_settings(DEFAULT_SAMPLES)
    _dagster_home()
    from valuation_platform.warehouse.connection import connect, resolve_settings
    from valuation_platform.warehouse.settings import DEFAULT_DBNAME

    settings = resolve_settings(os.environ.get("VP_DATABASE_URL"), DEFAULT_DBNAME)
    _prepare_dbt(settings)

    import dagster as dg

    from valuation_platform.definitions import build_defs
    from valuation_platform.lib.runner import materialize_all, report, summarize

    defs = build_defs()
    window = _window(args)
    selected = selection_predicate(defs, args.select)
    print(f"sources: {os.environ.get('VP_SOURCE_ROOT') or 'live hosts'}")
    print(f"warehouse: {settings.redacted()}")
    print(f"window: {f'{window.start}..{window.end}' if window else 'the latest complete partition of each calendar'}")
    started = time.perf_counter()
    with dg.DagsterInstance.get() as instance:
        results = materialize_all(defs, instance, window, selection=selected, run_tags=_tags(args.tag))
    ok = all(r.success for r in results)
    print(f"\n{'no stage failed' if ok else 'a stage FAILED'} in {time.perf_counter() - started:.1f}s; stages:")
    print(report(results))
    print("\nwhat the warehouse holds:")
    print(summarize(warehouse_counts(settings)))
    with connect(settings) as conn:
        bad = conn.execute(
            "select source, document, reason from raw.quarantine order by 1, 2"
        ).fetchall() if _has_quarantine(conn) else []
    if bad:
        print(f"\nquarantined documents ({len(bad)}), each with its reason:")
        for source, document, reason in bad:
            print(f"  {source:8} {document:40} {reason[:90]}")
    return 0 if ok else 1


def cmd_approve(args: argparse.Namespace) -> int:
    """A manager's decision on a discovered driver without the workbook: the same run the workbook's edit
    sensor launches (``workbook_edits_job``: the approval gate, the drivers build, snapshot, changelog and the
    workbook rewrite), with the decision as run config. ``--list`` shows the queue."""
    _dagster_home()
    from valuation_platform.warehouse.connection import connect, resolve_settings
    from valuation_platform.warehouse.settings import DEFAULT_DBNAME

    settings = resolve_settings(os.environ.get("VP_DATABASE_URL"), DEFAULT_DBNAME)
    if args.list or not args.discovery_id:
        with connect(settings) as conn:
            exists = conn.execute("select to_regclass('analytics.discovered_drivers') is not null").fetchone()[0]
            pending = conn.execute(
                "select discovery_id, driver_level, coalesce(company, valuation_subgroup, valuation_group), "
                "driver_name, suggested_weight, previous_value, current_value, unit, reasoning "
                "from analytics.discovered_drivers where status = 'PENDING' order by suggested_at").fetchall() \
                if exists else []
        print(f"{len(pending)} discovered driver(s) waiting for a decision")
        for discovery_id, level, scope, name, weight, previous, current, unit, reasoning in pending:
            move = f"{previous:g} -> {current:g} {unit or ''}" if previous is not None and current is not None \
                else "no values (moves nothing)"
            print(f"  {discovery_id}  {level:8} {scope:32} {name:28} {weight:.2f}  {move:24} {reasoning[:50]}")
        return 0
    if not args.reviewer:
        raise SystemExit("--reviewer is required for a decision")
    _prepare_dbt(settings)
    import dagster as dg

    from valuation_platform.definitions import build_defs

    job = build_defs().resolve_job_def("workbook_edits_job")
    config = {"discovery_id": args.discovery_id, "decision": "REJECT" if args.reject else "APPROVE",
              "reviewer": args.reviewer, "note": args.note or ""}
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(run_config={"ops": {"workbook_edits": {"config": config}}},
                                        instance=instance, raise_on_error=False)
    if result.success:
        print(f"{config['decision']} {args.discovery_id} by {args.reviewer}: recorded; drivers and workbook rebuilt "
              f"(run {result.run_id})")
        return 0
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    for event in failures:
        print(f"{event.step_key}: {event.event_specific_data.error.message.strip()}")
    return 1


def cmd_dev(args: argparse.Namespace) -> int:
    """`dagster dev` on the instance `vp demo` filled, with the code location named as in workspace.yaml."""
    import subprocess

    if args.samples:
        os.environ.setdefault("VP_SOURCE_ROOT", str(DEFAULT_SAMPLES))
        apply_mirror_settings(DEFAULT_SAMPLES)
    home = _dagster_home()
    command = [str(Path(sys.executable).parent / "dagster"), "dev", "-w", str(REPO / "workspace.yaml"),
               "--host", args.host, "--port", str(args.port)]
    print(f"Dagster UI on http://{args.host}:{args.port} (instance {home}; sources: "
          f"{os.environ.get('VP_SOURCE_ROOT') or 'live hosts'})", flush=True)
    # cwd = the repository: `dagster dev` reads .env from there
    return subprocess.call(command, cwd=REPO)


def cmd_docs(args: argparse.Namespace) -> int:
    """dbt docs (models, columns, tests, exposures, lineage) generated against the warehouse, then served."""
    import subprocess

    from valuation_platform.lib.dbt import DBT_PROJECT_DIR, ensure_dbt_on_path
    from valuation_platform.warehouse.connection import resolve_settings
    from valuation_platform.warehouse.settings import DEFAULT_DBNAME

    settings = resolve_settings(os.environ.get("VP_DATABASE_URL"), DEFAULT_DBNAME)
    os.environ.update(settings.dbt_env())
    ensure_dbt_on_path()
    dbt = [str(Path(sys.executable).parent / "dbt")]
    where = ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    rc = subprocess.call([*dbt, "docs", "generate", *where])
    if rc or args.no_serve:
        return rc
    return subprocess.call([*dbt, "docs", "serve", *where, "--host", args.host, "--port", str(args.port),
                            "--no-browser"])


def _has_quarantine(conn) -> bool:  # type: ignore[no-untyped-def]
    return conn.execute("select to_regclass('raw.quarantine') is not null").fetchone()[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="vp", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write a mirror of generated source payloads")
    gen.add_argument("--out", default=str(DEFAULT_SAMPLES))
    gen.add_argument("--companies", type=int, default=30, help="US companies (4600 for the benchmark scale)")
    gen.add_argument("--as-of", help="the mirror's last day (default: the generator's own as-of date)")
    gen.add_argument("--seed", type=int, default=7)
    gen.add_argument("--no-faults", action="store_true", help="omit the deliberately broken documents")
    gen.set_defaults(func=cmd_generate)

    prep = sub.add_parser("prepare", help="parse the dbt project (writes the manifest Dagster loads)")
    prep.set_defaults(func=cmd_prepare)

    demo = sub.add_parser("demo", help="materialize the whole graph on the bundled sample mirror and its window")
    demo.set_defaults(func=cmd_materialize, samples=True, start=None, end=None, tag=[])
    demo.add_argument("--select", help="asset selection (Dagster syntax, e.g. group:sec) or a domain name")
    demo.add_argument("--day", help="only this day of the sample window (YYYY-MM-DD), as the next daily run would "
                      "(e.g. after approving a driver: --select 'workbook_edits*' --day <the window's last day>)")

    run = sub.add_parser("materialize", help="materialize a selection from VP_SOURCE_ROOT (unset: the live hosts)")
    run.add_argument("--select", help="asset selection (Dagster syntax, e.g. group:sec, +fct_drivers) or a domain name")
    run.add_argument("--start", help="first date of the window (YYYY-MM-DD); default: --end")
    run.add_argument("--end", help="last date of the window (YYYY-MM-DD); default: today. Without --start and "
                     "--end: the latest complete partition of each partitions definition in its own calendar")
    run.add_argument("--tag", action="append", default=[], metavar="KEY=VALUE",
                     help="a run tag, repeatable; e.g. vp/scores_tickers=AAPL,MSFT or vp/scores_sector=Energy "
                     "re-score only those tickers / that sector against every peer's stored inputs; "
                     "vp/valuation_symbols=TCS values only those India companies (the on-demand valuation)")
    run.set_defaults(func=cmd_materialize, samples=False)

    dev = sub.add_parser("dev", help="the Dagster UI on the project's own instance (the runs `vp demo` made)")
    dev.add_argument("--host", default="127.0.0.1", help="interface the UI listens on (0.0.0.0: every one)")
    dev.add_argument("--port", type=int, default=3000)
    dev.add_argument("--samples", action="store_true",
                     help="runs launched from the UI read data/samples/ (as `vp demo` did) unless VP_SOURCE_ROOT is set")
    dev.set_defaults(func=cmd_dev)

    approve = sub.add_parser("approve", help="approve or reject a discovered driver (or --list the queue)")
    approve.add_argument("discovery_id", nargs="?", help="analytics.discovered_drivers.discovery_id")
    approve.add_argument("--reviewer", help="who decides (kept with the decision)")
    approve.add_argument("--reject", action="store_true", help="reject instead of approve")
    approve.add_argument("--note", help="the reason, kept with the decision")
    approve.add_argument("--list", action="store_true", help="list the PENDING discovered drivers")
    approve.set_defaults(func=cmd_approve)

    docs = sub.add_parser("docs", help="generate the dbt docs site (lineage, columns, exposures) and serve it")
    docs.add_argument("--host", default="127.0.0.1")
    docs.add_argument("--port", type=int, default=8080)
    docs.add_argument("--no-serve", action="store_true", help="only generate dbt_project/target/index.html")
    docs.set_defaults(func=cmd_docs)

    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
