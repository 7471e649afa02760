"""The code location: everything under defs/ is loaded; global policies are applied here."""

from __future__ import annotations

import functools
from pathlib import Path

import dagster as dg


def build_defs() -> dg.Definitions:
    from valuation_platform.lib.dagster_partition_keys import keep_partition_keys
    from valuation_platform.lib.dbt import DBT_PROJECT

    keep_partition_keys()  # every process that runs or serves these definitions lists partition keys

    if not DBT_PROJECT.manifest_path.exists():
        raise FileNotFoundError(
            f"dbt manifest missing at {DBT_PROJECT.manifest_path}: run `vp prepare` "
            "(dbt parse) once after cloning, or start with `dagster dev`, which prepares it."
        )
    from valuation_platform.lib.metadata import declare_tables

    defs = declare_tables(dg.load_from_defs_folder(path_within_project=Path(__file__).parent))
    return dg.Definitions.merge(defs, dg.Definitions(executor=run_executor()))


def run_executor() -> dg.ExecutorDefinition:
    """How a launched run executes its steps. Locally in the run's own process: a step subprocess loads
    the whole code location again (seconds per step, measured in the README) while two cores gain little
    from parallel steps, and dbt steps are serialised by their pool anyway. A production deployment
    (VP_ENV=production) runs steps in parallel subprocesses; a run may still pick either in its config."""
    from valuation_platform.lib.policies import is_production

    return dg.multiprocess_executor if is_production() else dg.in_process_executor


@functools.cache
def _process_defs() -> dg.Definitions:
    return build_defs()


@dg.definitions
def defs() -> dg.Definitions:
    """Built once per process: Dagster calls this entry point each time it reconstructs the repository (a
    `dagster asset materialize` or a UI-launched run worker does so about six times), and every build
    walks the defs folder, the dbt manifest and the component library again (about a second each)."""
    return _process_defs()
