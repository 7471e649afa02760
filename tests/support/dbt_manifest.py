"""The parsed dbt manifest the tests' own dbt builds run on: the one production's dbt steps use
(lib/dbt_in_process.py), parsed once per test process and moved into whichever test database a test builds
into, so a scenario with a database of its own pays no parse of its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.pipeline import env
from valuation_platform.lib.dbt import DBT_PROJECT_DIR, target_root
from valuation_platform.lib.dbt_in_process import MANIFESTS
from valuation_platform.warehouse.settings import DatabaseSettings


def dbt_args(workdir: Path, *, write_json: bool = False) -> list[str]:
    """The project and profile, with target/ and logs/ under ``workdir``. dbt.log keeps warnings and errors
    only: a debug line per query costs a tenth of a small build, and a failure comes back in the result.
    No manifest.json or run_results.json unless asked (``write_json``): the result is returned in-process, and
    serializing the whole manifest after every build cost the suite ~18 s of CPU."""
    return ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs"), "--quiet",
            "--log-level-file", "warn", "--no-use-colors", "--write-json" if write_json else "--no-write-json"]


def manifest_for(db: DatabaseSettings) -> Any:
    """A copy of the process's parsed manifest whose nodes live in ``db`` (dbt's ``Manifest``)."""
    with env(db.dbt_env()):
        return MANIFESTS.manifest(DBT_PROJECT_DIR, DBT_PROJECT_DIR, target_root())
