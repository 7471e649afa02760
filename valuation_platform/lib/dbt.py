"""The dbt project handle and how dbt nodes become Dagster assets (groups, owners, kinds, automation)."""

from __future__ import annotations

import json
import os
from datetime import datetime
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from valuation_platform.lib.policies import DOMAIN_OWNERS
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"


def ensure_dbt_on_path() -> None:
    """dagster-dbt looks for `dbt` on PATH; make the one beside this interpreter findable (an unactivated venv)."""
    bin_dir = str(Path(sys.executable).parent)
    if (Path(bin_dir) / "dbt").exists() and bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


ensure_dbt_on_path()

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)

def window_vars(context: dg.AssetExecutionContext) -> list[str]:
    """``--vars`` with the run's partition window (``window_start``/``window_end``, ISO dates, inclusive) for
    the daily incremental models' ``in_window`` macro: one partition or a single-run backfill's whole range."""
    pdef = context.assets_def.partitions_def
    keys = context.partition_key_range
    fmt = pdef.fmt if isinstance(pdef, dg.TimeWindowPartitionsDefinition) else "%Y-%m-%d"
    start, end = (datetime.strptime(k, fmt).date().isoformat() for k in (keys.start, keys.end))
    return ["--vars", json.dumps({"window_start": start, "window_end": end})]


class PlatformDbtTranslator(DagsterDbtTranslator):
    """Only ``get_asset_spec`` is customised, starting from dagster-dbt's own spec: each node joins its
    domain's group (the folder below its layer) with that domain's owner."""

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id) or manifest["sources"].get(unique_id) or {}
        fqn = node.get("fqn", [])
        resource_type = node.get("resource_type")
        if resource_type == "seed":  # seeds/<domain>/<name>
            folder, layer = (fqn[1] if len(fqn) > 2 else "reference"), "seed"
        else:  # models/<layer>/<domain>/<name>, snapshots/<domain>/<name>
            folder = fqn[2] if len(fqn) > 3 else (fqn[1] if len(fqn) > 1 else "dbt")
            layer = fqn[1] if len(fqn) > 2 else str(resource_type)
        domain = folder  # dbt folders are named after the domains: models/<layer>/<domain>/, seeds/<domain>/
        spec = spec.replace_attributes(group_name=domain)
        return spec.merge_attributes(
            owners=[DOMAIN_OWNERS.get(domain, "team:data-platform")], kinds={"postgres"}, tags={"layer": layer}
        )


TRANSLATOR = PlatformDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))
