"""Pipeline reports (plain Python, ``pipelines/report.py``) as Dagster materialization metadata."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg

from valuation_platform.pipelines.report import Columns, Json, Markdown, merge


def to_metadata(report: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in report.items():
        if isinstance(value, Markdown):
            value = dg.MetadataValue.md(str(value))
        elif isinstance(value, Json):
            value = dg.MetadataValue.json(dict(value))
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
