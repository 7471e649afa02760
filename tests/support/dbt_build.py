"""A targeted `dbt build` of a few models against a test database (dbt in-process, target/ in a temp folder).

Scenario tests load raw rows through the real loaders, then build only the models they assert on (and
their parents, `+model`), data tests included: the real SQL on real Postgres, nothing re-implemented.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tests.support.dbt_manifest import dbt_args, manifest_for
from tests.support.pipeline import env
from valuation_platform.warehouse.settings import DatabaseSettings


def dbt_build(
    db: DatabaseSettings,
    select: Sequence[str],
    workdir: Path,
    *,
    variables: Mapping[str, Any] | None = None,
    full_refresh: bool = False,
) -> list[tuple[str, str, str | None]]:
    """Build ``select`` (dbt selectors) into ``db``; returns ``(node, status, message)`` of what did not pass."""
    import json

    from dbt.cli.main import dbtRunner

    # a test runs only when every model it reads is selected (a relationship test to a seed left out waits)
    command = ["build", "--select", *select, "--indirect-selection", "cautious", *dbt_args(workdir)]
    if variables:
        command += ["--vars", json.dumps(dict(variables))]
    if full_refresh:
        command.append("--full-refresh")
    with env(db.dbt_env()):
        result = dbtRunner(manifest=manifest_for(db)).invoke(command)
    if result.exception is not None:
        raise result.exception
    return [(r.node.name, str(r.status), r.message) for r in result.result or []
            if str(r.status) not in ("success", "pass")]
