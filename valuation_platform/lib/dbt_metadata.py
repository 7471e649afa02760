"""Row counts and column types of the relations a dbt step built, read back in two queries on one connection.

dagster-dbt's ``fetch_row_counts().fetch_column_metadata()`` does the same per model: a dbt adapter built in
the step's process (dbt imported, profile and macros loaded: ~2 s of CPU), then for every model a new
connection and a macro call for its columns and another for its count, ~20 s of a whole-graph build's 100
models. Here the step's own warehouse connection answers for all of them at once, the metadata keys and
values unchanged (``dagster/row_count``, ``dagster/column_schema`` with dbt's Postgres type names)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import dagster as dg
from dagster._core.definitions.metadata import TableMetadataSet  # what dagster-dbt attaches its counts with
from psycopg import sql

STRING_TYPES = {"text", "character varying", "character", "varchar"}
NUMERIC_TYPES = {"numeric", "decimal"}
DEFAULT_STRING_SIZE = 256  # dbt's size for a string column whose length it cannot read


@dataclass(frozen=True)
class Relation:
    schema: str
    name: str
    counted: bool  # a table (views are not counted: counting runs the view's whole query)


def dbt_data_type(data_type: str, char_size: int | None, precision: int | None, scale: int | None) -> str:
    """The type name dbt's Postgres adapter gives a column of information_schema (PostgresColumn.data_type)."""
    lowered = data_type.lower()
    if lowered == "text" or (lowered == "character varying" and char_size is None):
        return data_type
    if lowered in STRING_TYPES:
        size = DEFAULT_STRING_SIZE if data_type == "text" or char_size is None else int(char_size)
        return f"character varying({size})"
    if lowered in NUMERIC_TYPES and precision is not None and scale is not None:
        return f"{data_type}({precision},{scale})"
    return data_type


def relation_of(node: Mapping[str, Any]) -> Relation:
    return Relation(node["schema"], node["alias"], node["config"].get("materialized") != "view")


def read_relations(conn: Any, relations: Iterable[Relation]) -> dict[Relation, dict[str, Any]]:
    """Each relation's columns (in table order, dbt's type names) and, for tables, its row count."""
    relations = list(dict.fromkeys(relations))
    if not relations:
        return {}
    rows = conn.execute(
        "select table_schema, table_name, column_name, data_type, character_maximum_length, numeric_precision,"
        " numeric_scale from information_schema.columns"
        " where (table_schema, table_name) in (select * from unnest(%s::text[], %s::text[]))"
        " order by table_schema, table_name, ordinal_position",
        ([r.schema for r in relations], [r.name for r in relations]),
    ).fetchall()
    columns: dict[tuple[str, str], dict[str, str]] = {}
    for schema, table, column, data_type, char_size, precision, scale in rows:
        columns.setdefault((schema, table), {})[column] = dbt_data_type(data_type, char_size, precision, scale)
    present = [r for r in relations if r.counted and (r.schema, r.name) in columns]
    counts: dict[tuple[str, str], int] = {}
    if present:
        query = sql.SQL(" union all ").join(
            sql.SQL("select {}, {}, count(*) from {}").format(
                sql.Literal(r.schema), sql.Literal(r.name), sql.Identifier(r.schema, r.name))
            for r in present)
        counts = {(schema, table): n for schema, table, n in conn.execute(query).fetchall()}
    return {
        r: {"columns": columns.get((r.schema, r.name), {}), "row_count": counts.get((r.schema, r.name))}
        for r in relations
    }


def table_metadata(read: Mapping[str, Any]) -> dict[str, Any]:
    """The metadata dagster-dbt attaches: the column schema, and the row count with the storage kind."""
    from dagster_dbt.asset_utils import default_metadata_from_dbt_resource_props

    metadata: dict[str, Any] = {}
    if read["columns"]:
        described = {"columns": {name: {"data_type": kind} for name, kind in read["columns"].items()}}
        metadata.update({k: v for k, v in default_metadata_from_dbt_resource_props(described).items()
                         if k == "dagster/column_schema"})
    if read["row_count"] is not None:
        metadata.update(TableMetadataSet(row_count=read["row_count"], storage_kind="postgres"))
    return metadata


def with_table_metadata(events: Iterable[Any], manifest: Mapping[str, Any],
                        connect: Callable[[], AbstractContextManager[Any]],
                        log: Callable[[str], None] | None = None) -> Iterator[Any]:
    """dbt's events, each built model's, seed's and snapshot's carrying its columns and row count. The step has
    read dbt's whole output before this (lib/dbt.py), so every relation exists when it is read; a failed build
    still yields its events first, then raises. Metadata that cannot be read is left out, never a failed step."""
    collected: list[Any] = []
    failure: BaseException | None = None
    try:
        for event in events:
            collected.append(event)
    except Exception as error:  # a failed build: its events first, then the failure
        failure = error
    built = {i: relation_of(manifest["nodes"][_unique_id(e)]) for i, e in enumerate(collected)
             if isinstance(e, (dg.Output, dg.AssetMaterialization)) and _unique_id(e) in manifest["nodes"]}
    read: dict[Relation, dict[str, Any]] = {}
    if built:
        try:
            with connect() as conn:
                read = read_relations(conn, built.values())
        except Exception as error:  # e.g. the warehouse went away after dbt finished
            (log or dg.get_dagster_logger().warning)(f"row counts and column types not read: {error}")
    for i, event in enumerate(collected):
        extra = table_metadata(read[built[i]]) if i in built and built[i] in read else {}
        yield event.with_metadata({**event.metadata, **extra}) if extra else event
    if failure is not None:
        raise failure


def _unique_id(event: Any) -> str:
    value = (getattr(event, "metadata", None) or {}).get("unique_id")
    return str(getattr(value, "value", value) or "")
