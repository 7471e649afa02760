"""Pipeline reports (plain Python, ``pipelines/report.py``) as Dagster materialization metadata."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg

from valuation_platform.pipelines.report import Chart, Columns, Json, Markdown, merge
from valuation_platform.warehouse.tables import TableSpec


def to_metadata(report: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in report.items():
        if isinstance(value, Markdown):
            value = dg.MetadataValue.md(str(value))
        elif isinstance(value, Json):
            value = dg.MetadataValue.json(dict(value))
        elif isinstance(value, Chart):
            from valuation_platform.lib.plots import render

            value = dg.MetadataValue.md(render(value))
        elif isinstance(value, Columns):
            value = dg.TableSchema(columns=[dg.TableColumn(str(name), str(kind)) for name, kind in value])
        out[key] = value
    return out


def materialized(report: Mapping[str, Any]) -> dg.MaterializeResult:
    """What an asset body returns: the step's report as metadata."""
    return dg.MaterializeResult(metadata=to_metadata(report))


def merged(*parts: Mapping[str, Any]) -> dict[str, Any]:
    """Report parts merged (later wins) and converted to Dagster metadata."""
    return to_metadata(merge(*parts))


def table_metadata(spec: TableSpec) -> dict[str, Any]:
    """The table an asset writes, as definition metadata: the UI shows its name and column schema (with
    types and NOT NULL) before the asset's first run."""
    return {
        "dagster/table_name": spec.qualified,
        "dagster/column_schema": dg.TableSchema(
            columns=[
                dg.TableColumn(
                    name,
                    pg_type.replace(" not null", ""),
                    constraints=dg.TableColumnConstraints(nullable="not null" not in pg_type),
                )
                for name, pg_type in spec.all_columns.items()
            ]
        ),
    }


def table_specs() -> dict[str, TableSpec]:
    """Every table Python writes (warehouse/tables/<domain>.py), by table name."""
    import importlib
    import pkgutil

    from valuation_platform.warehouse import tables

    found: dict[str, TableSpec] = {}
    for module in pkgutil.iter_modules(tables.__path__):
        for value in vars(importlib.import_module(f"{tables.__name__}.{module.name}")).values():
            if isinstance(value, TableSpec):
                found[value.name] = value
    return found


def declare_tables(defs: dg.Definitions) -> dg.Definitions:
    """Table name and column schema on every Python asset named after the table it writes (the layout's
    rule); an asset writing a table of another name declares ``table_metadata(SPEC)`` itself."""
    from dagster_shared.record import copy

    specs = table_specs()

    def declare(spec: dg.AssetSpec) -> dg.AssetSpec:
        table = specs.get(spec.key.path[-1])
        if table is None or "dbt" in spec.kinds or "dagster/column_schema" in spec.metadata:
            return spec
        return spec.merge_attributes(metadata=table_metadata(table))

    # load_from_defs_folder lists an asset once per module that imports it; map each object once
    unique = {id(a): a for a in defs.assets or []}.values()
    mapped = [a.map_asset_specs(declare) if isinstance(a, dg.AssetsDefinition) else a for a in unique]
    return copy(defs, assets=mapped)
