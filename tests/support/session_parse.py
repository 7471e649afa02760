"""The test session's dbt parse, run beside the xdist workers' start instead of before it.

Test modules import the dbt assets, which read dbt's manifest at import, so a worker cannot collect before
the project is parsed (~11 s on a clean clone, ~3 s from partial-parse state). The controller parses in a
subprocess while the workers start and import the libraries every test module needs; a worker then waits
for the parse under the lock the parse holds, and copies what it wrote. A failed parse fails each worker's
start with dbt's own output.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path

from filelock import FileLock

LOCK, OUTCOME, LOG = "pytest_parse.lock", "pytest_parse.exit", "pytest_parse.log"
PARSE = "from valuation_platform.lib.dbt import prepare_manifest; prepare_manifest()"
PRELOADED = ("dagster", "dagster_dbt", "dbt.cli.main", "pandas", "polars")


def start_parse(target: Path, env: Mapping[str, str]) -> threading.Thread:
    """Start ``prepare_manifest()`` in a subprocess with ``env``; returns once the parse holds the lock (so a
    worker started afterwards always waits for it), while a thread waits for the subprocess to end."""
    target.mkdir(parents=True, exist_ok=True)
    (target / OUTCOME).unlink(missing_ok=True)
    holding = threading.Event()

    def parse() -> None:
        with FileLock(str(target / LOCK)):  # filelock's locks belong to the thread that took them
            holding.set()
            with open(target / LOG, "wb") as log:
                code = subprocess.run([sys.executable, "-c", PARSE], env={**os.environ, **env},
                                      stdout=log, stderr=subprocess.STDOUT, check=False).returncode
            (target / OUTCOME).write_text(str(code))

    thread = threading.Thread(target=parse, name="dbt-parse", daemon=True)
    thread.start()
    holding.wait()
    return thread


def wait_for_parse(target: Path) -> None:
    """Block until the controller's parse has ended; raise with dbt's output when it failed."""
    with FileLock(str(target / LOCK)):
        outcome = target / OUTCOME
        code = outcome.read_text().strip() if outcome.exists() else "missing"
    if code != "0":
        log = target / LOG
        tail = log.read_text(errors="replace")[-4000:] if log.exists() else "(no output)"
        raise RuntimeError(f"the session's dbt parse failed (exit {code}; {log}):\n{tail}")


def preload_libraries() -> None:
    """Import what collecting any test module imports first and needs no manifest, while the parse runs."""
    for name in PRELOADED:
        importlib.import_module(name)
