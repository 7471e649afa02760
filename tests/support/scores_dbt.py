"""dbt in-process on the scores models alone, over input marts a test (or benchmark) wrote itself."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from valuation_platform.warehouse.settings import DatabaseSettings

from tests.support.dbt_manifest import dbt_args, manifest_for
from tests.support.pipeline import env

SCORE_MODELS = "ic_score_weights path:models/intermediate/scores fct_ic_score_inputs fct_ic_scores"


class ScoresDbt:
    """The process's parsed manifest (tests/support/dbt_manifest.py), then any number of targeted runs against
    ``db`` (target/ and logs/ under ``workdir``)."""

    def __init__(self, db: DatabaseSettings, workdir: Path) -> None:
        from dbt.cli.main import dbtRunner

        self.db, self.workdir = db, workdir
        self.runner = dbtRunner(manifest=manifest_for(db))

    def build(self, select: str = SCORE_MODELS, variables: Mapping[str, object] | None = None,
              full_refresh: bool = False) -> None:
        """`dbt build` (models, seeds and their data tests) of ``select``; raises on any failure."""
        command = ["build", "--select", *select.split(), "--exclude-resource-type", "unit_test", *dbt_args(self.workdir)]
        if variables:
            command += ["--vars", json.dumps(dict(variables))]
        if full_refresh:
            command.append("--full-refresh")
        with env(self.db.dbt_env()):
            result = self.runner.invoke(command)
        failed = [(r.node.name, str(r.status), r.message) for r in result.result or []
                  if str(r.status) not in ("success", "pass")]
        assert result.success and not failed, failed or result.exception
