"""One whole-graph materialization that every end-to-end test module reads, built once per test session.

With pytest-xdist each worker is its own process: the first to take the file lock generates the mirror
and materializes the graph into fixed databases; the others wait on the lock and reuse what it wrote
(the stage outcomes are kept as JSON beside the mirror). Modules that need a state of their own (fault
injection, re-runs, split repairs) still build it themselves, from Python assets only where they can; those
that read only the mirror's files take ``mirror_or_join``, whose lock is released once the mirror is written,
so they run on another worker while the demo builds.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

import dagster as dg
from filelock import FileLock

from tests.support.pipeline import SAMPLE_WINDOW, production_instance, run_pipeline
from valuation_platform.generator.mirror import write_mirror
from valuation_platform.lib.runner import StageResult
from valuation_platform.warehouse.embedded import drop_database, ensure_database
from valuation_platform.warehouse.settings import DatabaseSettings

COMPANIES = 12  # US companies of the shared mirror (options and ownership add their own scale)
# India: classified, investable, universe target. Every group and subgroup still appears (the generator
# covers the taxonomy first); the default 2,500 / 1,200 / 1,000 is the demo's and the benchmark's scale.
INDIA = (800, 400, 300)


SESSION_VARIABLE = "VP_TEST_SESSION"  # set once by the controller (tests/conftest.py); workers inherit it


def database_names() -> tuple[str, str]:
    """Per test session, so concurrent sessions never share a database; the controller's dbt parse names the
    first (conftest.pytest_configure)."""
    tag = os.environ[SESSION_VARIABLE]
    return f"vpt_demo_{tag}", f"vpt_demo_{tag}_dagster"


def drop_databases(admin: DatabaseSettings) -> None:
    for name in database_names():
        drop_database(admin, name)


@dataclass
class SharedDemo:
    mirror: Path
    db: DatabaseSettings
    dagster_db: DatabaseSettings
    stages: list[StageResult]

    def instance(self) -> dg.DagsterInstance:
        """A Dagster instance over the run's Postgres event storage (use as a context manager)."""
        return production_instance(self.dagster_db)


def mirror_or_join(base: Path) -> Path:
    """The shared demo's generated mirror: the first process to take its lock writes it, the others reuse it."""
    mirror, written = base / "shared_demo_mirror", base / "shared_demo_mirror.done"
    with FileLock(str(base / "shared_demo_mirror.lock")):
        if not written.exists():
            shutil.rmtree(mirror, ignore_errors=True)  # what a process that died while writing left
            write_mirror(mirror, companies=COMPANIES, as_of=SAMPLE_WINDOW.end, india=INDIA)
            written.touch()
    return mirror


def build_or_join(base: Path, admin: DatabaseSettings) -> SharedDemo:
    mirror, outcome = mirror_or_join(base), base / "shared_demo_stages.json"
    names = database_names()
    db, dagster_db = admin.with_dbname(names[0]), admin.with_dbname(names[1])
    with FileLock(str(base / "shared_demo.lock")):
        if not outcome.exists():
            for name in names:
                drop_database(admin, name)
                ensure_database(admin, name)
            with production_instance(dagster_db) as instance:
                stages = run_pipeline(mirror, db, instance)
            outcome.write_text(json.dumps([asdict(s) for s in stages]))
    stages = [StageResult(**s) for s in json.loads(outcome.read_text())]
    return SharedDemo(mirror, db, dagster_db, stages)
