"""The daily cycle at the seeds' scale: the whole graph backfilled from empty, then one new trading day.

Generates a mirror (4,600 US companies with 300 sessions of prices behind the run, filings, Form 4, 13F,
ratings, news; 2,900 Indian companies; option chains for 200 underlyings), then times, per stage of the
runner (lib/runner.materialize_all):

1. backfill: an empty warehouse, the mirror's week-long window (the first run fetches each ticker's history);
2. daily cycle: the runner materializes the window's last session on top, as the evening run does, with
   the chain endpoints now answering a different snapshot. The generator cannot extend a mirror by one
   session consistently (its price paths depend on the whole span), so the day's price, news and rating
   documents are those the backfill already loaded: every document is fetched, parsed and compared again,
   and the loads find the rows unchanged. That is the daily cycle's full fetch/parse/dbt cost, minus the
   writes of one session's new rows (a few thousand bars and articles). The weekly SEC refresh (the
   universe, then every company's companyfacts, then the statements marts: the jobs of
   defs/sec/automation.py, Sundays, replacing the old Sunday cron) is not part of an evening: it runs after the daily cycle as its own phase.

Dagster's instance is production's (deploy/dagster.yaml): run, event and schedule storage in Postgres, on
the embedded server beside the warehouse (database ``vp_bench_dagster``).

Peak memory is sampled by benchmarks/peak_memory.py, a process of its own: this process and every process it
started, and the embedded Postgres server (postmaster and backends), as PSS every 2 s (shared pages split
between the processes mapping them; the target is judged on it) and as RSS summed per process every 0.5 s (the
server's shared buffers once per backend: the figure printed before PSS). Targets on a 2-core machine: daily cycle
< 2 min, backfill < 10 min, peak < 4 GB.

    nice .venv/bin/python benchmarks/bench_daily_cycle.py [--scale 1.0] [--keep DIR]

``--daily-only --keep DIR`` runs the daily cycle alone on the mirror and warehouse (``vp_bench_cycle``) a whole
run with ``--keep DIR`` left: the same evening again (same documents, rows found unchanged, incremental models
redo their window), ~5 minutes instead of ~45, on the Dagster storage the whole run left. ``--scale 0.03`` is a quick check (138 US companies, 87 Indian, 6 underlyings; ~20 min on a busy 2-core box). Uses VP_DATABASE_URL
when set, else the embedded Postgres (database ``vp_bench_cycle``, dropped first).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.pipeline import production_storage  # noqa: E402  deploy/dagster.yaml's storage, values filled

from valuation_platform.cli import mirror_settings, mirror_window
from valuation_platform.defs.sec.automation import sec_companyfacts_job, sec_marts_job, sec_universe_job
from valuation_platform.generator.market import sample_start, sample_window_start, write_market_data
from valuation_platform.generator.mirror import option_us_tickers, write_mirror
from valuation_platform.generator.options import write_option_chains
from valuation_platform.generator.sec import DEFAULT_AS_OF
from valuation_platform.generator.universe import us_companies
from valuation_platform.lib.runner import PartitionWindow, StageResult, materialize_all
from valuation_platform.warehouse.settings import DatabaseSettings

US_COMPANIES, INDIA_COMPANIES, UNDERLYINGS = 4600, 2900, 200
TARGETS = {"backfill": 600.0, "daily cycle": 120.0, "weekly SEC refresh": float("inf")}
PEAK_TARGET_MB = 4096


def weekly_sec_assets(defs: dg.Definitions) -> set[dg.AssetKey]:
    """The assets of the weekly SEC jobs (the universe, then companyfacts, then the statements marts their
    sensor starts), as their selections resolve."""
    graph = defs.resolve_asset_graph()
    return {key for job in (sec_universe_job, sec_companyfacts_job, sec_marts_job) for key in job.selection.resolve(graph)}


def database(name: str, keep: bool = False) -> DatabaseSettings:
    """A database of the benchmark (its warehouse, Dagster's storage), dropped first unless ``keep`` (the daily
    cycle alone, on a whole run's). With VP_DATABASE_URL, that database serves both (Dagster's tables beside
    the warehouse's schemas)."""
    if os.environ.get("VP_DATABASE_URL"):
        return DatabaseSettings.from_url(os.environ["VP_DATABASE_URL"])
    from valuation_platform.warehouse.embedded import drop_database, embedded_settings

    if not keep:
        drop_database(embedded_settings("postgres"), name)
    return embedded_settings(name)


class PeakMemory:
    """Peak memory of this process and its descendants, and of the Postgres server's processes, sampled by
    benchmarks/peak_memory.py in a process of its own (a sampling thread here would take this interpreter's GIL)."""

    def __init__(self, data_dir: str | None, interval: float = 0.5) -> None:
        self.command = [sys.executable, str(Path(__file__).with_name("peak_memory.py")), str(os.getpid()),
                        *([data_dir] if data_dir else []), "--interval", str(interval)]
        self.rss_own = self.pss_own = self.rss_server = self.pss_server = 0.0

    def __enter__(self) -> PeakMemory:
        self._sampler = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        return self

    def __exit__(self, *_: object) -> None:
        out, _ = self._sampler.communicate()  # closing its input ends the sampling
        self.rss_own, self.pss_own, self.rss_server, self.pss_server = map(float, out.split())


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)


def table(phase: str, results: Sequence[StageResult], seconds: float) -> str:
    target = f" (target < {TARGETS[phase]:.0f} s)" if TARGETS[phase] < float("inf") else ""
    lines = [f"{phase}: {seconds:,.1f} s wall{target}"]
    for stage in results:
        head = ", ".join(stage.assets[:3]) + (f" +{len(stage.assets) - 3}" if len(stage.assets) > 3 else "")
        lines.append(f"  {stage.status:9} {stage.seconds:7.1f} s  {stage.partitions:38}  {head}")
        for step, line in stage.failed.items():
            lines.append(f"      FAILED {step}: {line[:110]}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the seeds' universe sizes")
    parser.add_argument("--keep", help="write the mirror here and keep it")
    parser.add_argument("--daily-only", action="store_true",
                        help="only the daily cycle, on the mirror (--keep) and warehouse a whole run left behind")
    args = parser.parse_args()
    if args.daily_only and not (args.keep and Path(args.keep).is_dir()):
        parser.error("--daily-only needs --keep naming the mirror of an earlier whole run")
    us, underlyings = (max(int(n * args.scale), 5) for n in (US_COMPANIES, UNDERLYINGS))
    india = max(int(INDIA_COMPANIES * args.scale), 87)  # the India generator needs > 20 + anchors investable
    root = Path(args.keep or tempfile.mkdtemp(prefix="vp_bench_cycle_"))
    as_of = DEFAULT_AS_OF

    started = time.perf_counter()
    if not args.daily_only:
        summary = write_mirror(root, companies=us, as_of=as_of, with_faults=False,
                               india=(india, max(india * 12 // 25, 1), max(india * 10 // 25, 1)),
                               option_underlyings=underlyings)
        print(f"generate {time.perf_counter() - started:,.1f} s: {root}")
        for line in summary:
            print(f"  {line}")
    chains = option_us_tickers(us, 7, underlyings)

    db = database("vp_bench_cycle", keep=args.daily_only)
    dagster_db = database("vp_bench_dagster", keep=args.daily_only)  # the run, event and schedule storage
    backfill = mirror_window(root)
    env = {**mirror_settings(root), "VP_SOURCE_ROOT": str(root), "VP_DATABASE_URL": db.url, **db.dbt_env()}
    with environment(env), tempfile.TemporaryDirectory(prefix="vp_bench_home_") as home:
        from valuation_platform.definitions import build_defs
        from valuation_platform.lib.dbt import prepare_manifest

        # production's instance (deploy/dagster.yaml): Dagster's storage in Postgres, on the same server
        (Path(home) / "dagster.yaml").write_text(yaml.safe_dump(
            {"storage": production_storage(dagster_db), "telemetry": {"enabled": False}}))
        prepare_manifest()  # parsed with the run's profile: no dbt step re-parses
        defs = build_defs()
        with dg.DagsterInstance.from_config(home) as instance, PeakMemory(db.host if db.host.startswith("/") else None) as peak:
            phases = []
            weekly = weekly_sec_assets(defs)
            day = PartitionWindow(as_of, as_of)
            plan = (("backfill", backfill, lambda key: True),
                    ("daily cycle", day, lambda key: key not in weekly),
                    ("weekly SEC refresh", day, lambda key: key in weekly))
            for phase, run_window, selection in plan[1:2] if args.daily_only else plan:
                if phase == "daily cycle":
                    # the chain endpoints now answer another snapshot of the day; the feeds' documents for a
                    # run of that one session (same simulation: same span and seed as write_mirror's)
                    write_option_chains(root, as_of, seed=12, us_tickers=chains, compress=True)
                    write_market_data(root, us_companies(us, 7), sample_start(as_of), as_of,
                                      window_start=sample_window_start(as_of, 0), compress=True)
                t = time.perf_counter()
                results = materialize_all(defs, instance, run_window, selection=selection,
                                          log=lambda line: print(f"  {line}", flush=True))
                phases.append((phase, results, time.perf_counter() - t))
                print(table(*phases[-1]), flush=True)
    print(f"\nscale {args.scale}: {us:,} US companies, {india:,} Indian companies, {underlyings} option underlyings")
    for phase, results, seconds in phases:
        failed = sum(1 for r in results if not r.success)
        verdict = "meets" if seconds < TARGETS[phase] and not failed else "MISSES"
        target = f"target < {TARGETS[phase]:5.0f} s  {verdict}" if TARGETS[phase] < float("inf") else "(no target)"
        print(f"  {phase:18} {seconds:8.1f} s  {target}"
              + (f"  ({failed} stages failed)" if failed else ""))
    together = peak.pss_own + peak.pss_server
    print(f"  peak memory  {together:8,.0f} MB  PSS: Python + dbt processes {peak.pss_own:,.0f} MB, Postgres server"
          f" {peak.pss_server:,.0f} MB (target < {PEAK_TARGET_MB:,} MB: {'meets' if together < PEAK_TARGET_MB else 'MISSES'})")
    print(f"               {peak.rss_own + peak.rss_server:8,.0f} MB  RSS summed per process (shared pages once per process):"
          f" {peak.rss_own:,.0f} + {peak.rss_server:,.0f} MB")


if __name__ == "__main__":
    main()
