"""The code location: everything under defs/ is loaded; global policies are applied here."""

from __future__ import annotations

from pathlib import Path

import dagster as dg


def build_defs() -> dg.Definitions:
    from valuation_platform.lib.dbt import DBT_PROJECT

    if not DBT_PROJECT.manifest_path.exists():
        raise FileNotFoundError(
            f"dbt manifest missing at {DBT_PROJECT.manifest_path}: run `vp prepare` "
            "(dbt parse) once after cloning, or start with `dagster dev`, which prepares it."
        )
    from valuation_platform.lib.metadata import declare_tables

    return declare_tables(dg.load_from_defs_folder(path_within_project=Path(__file__).parent))


@dg.definitions
def defs() -> dg.Definitions:
    return build_defs()
