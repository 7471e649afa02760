"""A small asset launched the way the UI launches it, and what loading the code location costs.

    .venv/bin/python benchmarks/bench_ui_run.py [--asset sec_company_tickers] [--repeat 2]

Runs `dagster asset materialize` (a real run on the project's own instance: the CLI loads the code location
and executes the job with its default executor) for one small asset read from data/samples/, once with the
production executor (multiprocess: each step reloads the code in a subprocess, what every UI run paid before)
and once with the local default (in-process). Beside them: the time to import and build the Definitions
(what the UI's run worker pays once per run under the default run launcher). The peer figure is the
multiprocess run of the same asset in the same session. Prints wall times; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--asset", default="sec_company_tickers")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    from valuation_platform.cli import _dagster_home, apply_mirror_settings

    apply_mirror_settings(REPO / "data" / "samples")
    _dagster_home()
    env = {**os.environ, "VP_SOURCE_ROOT": str(REPO / "data" / "samples")}
    load = [str(BIN / "python"), "-W", "ignore", "-c",
            "import valuation_platform.definitions as d; d.build_defs().get_repository_def()"]
    run = [str(BIN / "dagster"), "asset", "materialize", "-m", "valuation_platform.definitions",
           "--select", args.asset]
    rows = {
        "import + build Definitions": min(timed(load, env) for _ in range(args.repeat)),
        f"{args.asset}, multiprocess executor (before)": min(
            timed(run, {**env, "VP_ENV": "production"}) for _ in range(args.repeat)),
        f"{args.asset}, in-process executor (local default)": min(timed(run, env) for _ in range(args.repeat)),
    }
    for name, seconds in rows.items():
        print(f"{name:55} {seconds:6.1f} s (best of {args.repeat})")


if __name__ == "__main__":
    main()
