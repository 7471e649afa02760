"""The row counts and column types a dbt step attaches (lib/dbt_metadata.py), against dbt's own Postgres adapter
reading the same relations (what dagster-dbt's per-model fetch returned) and counts written out by hand."""

import dagster as dg
import psycopg
import pytest

from tests.support.pipeline import env
from valuation_platform.lib.dbt_metadata import Relation, read_relations, table_metadata, with_table_metadata

COLUMNS = """
    label text, code varchar(12), free varchar, flag char(3), price numeric(12,4), ratio numeric,
    close double precision, volume bigint, day date, at timestamptz, ok boolean, doc jsonb
"""


@pytest.fixture
def relations(fresh_db):
    with psycopg.connect(fresh_db.url, autocommit=True) as conn:
        conn.execute(f"create schema marts; create table marts.prices ({COLUMNS})")
        conn.execute("insert into marts.prices (label, price) values ('a', 1.5), ('b', 2), ('c', null)")
        conn.execute("create view marts.priced as select label, price from marts.prices where price is not null")
        conn.execute(f"create table marts.empty ({COLUMNS})")
    return fresh_db


def dbt_columns(db, schema: str, name: str) -> dict[str, str]:
    """dbt's adapter for this database (dagster-dbt's way of building it), asked for the relation's columns."""
    from dagster_dbt import DbtCliResource

    from valuation_platform.lib.dbt import BUILD, DBT_PROJECT

    with env(db.dbt_env()):
        adapter = DbtCliResource(project_dir=DBT_PROJECT)._initialize_dbt_core_adapter(BUILD)
        with adapter.connection_named("vp_test"):
            relation = adapter.Relation.create(database=db.dbname, schema=schema, identifier=name)
            return {c.name: c.data_type for c in adapter.get_columns_in_relation(relation)}


def test_types_are_dbts_and_tables_are_counted(relations) -> None:
    table, view, empty = Relation("marts", "prices", True), Relation("marts", "priced", False), Relation("marts", "empty", True)
    with psycopg.connect(relations.url) as conn:
        read = read_relations(conn, [table, view, empty, Relation("marts", "never_built", True)])
    assert read[table]["columns"] == dbt_columns(relations, "marts", "prices")
    assert list(read[table]["columns"]) == ["label", "code", "free", "flag", "price", "ratio", "close", "volume",
                                            "day", "at", "ok", "doc"]  # table order
    assert read[table]["columns"]["price"] == "numeric(12,4)" and read[table]["columns"]["flag"] == "character varying(3)"
    assert read[view]["columns"] == dbt_columns(relations, "marts", "priced") == {"label": "text", "price": "numeric(12,4)"}
    assert (read[table]["row_count"], read[empty]["row_count"]) == (3, 0)
    assert read[view]["row_count"] is None  # a view is not counted: that would run its query
    assert read[Relation("marts", "never_built", True)] == {"columns": {}, "row_count": None}
    metadata = table_metadata(read[table])
    assert metadata["dagster/row_count"] == 3 and metadata["dagster/storage_kind"] == "postgres"
    assert [c.type for c in metadata["dagster/column_schema"].columns][:5] == [
        "text", "character varying(12)", "character varying", "character varying(3)", "numeric(12,4)"]


MANIFEST = {"nodes": {
    "model.vp.prices": {"schema": "marts", "alias": "prices", "config": {"materialized": "table"}},
    "model.vp.priced": {"schema": "marts", "alias": "priced", "config": {"materialized": "view"}},
}}


def events(fail: bool):
    yield dg.Output(None, output_name="prices", metadata={"unique_id": "model.vp.prices"})
    yield dg.AssetCheckResult(passed=True, asset_key="prices", check_name="not_null",
                              metadata={"unique_id": "test.vp.not_null"})
    yield dg.Output(None, output_name="priced", metadata={"unique_id": "model.vp.priced"})
    if fail:
        raise RuntimeError("dbt build failed: 1 error")


def test_every_event_of_a_failed_build_is_yielded_with_its_metadata_then_the_failure(relations) -> None:
    seen = []
    with pytest.raises(RuntimeError, match="1 error"):
        for event in with_table_metadata(events(fail=True), MANIFEST, lambda: psycopg.connect(relations.url)):
            seen.append(event)
    assert len(seen) == 3
    assert seen[0].metadata["dagster/row_count"].value == 3 and "dagster/row_count" not in seen[2].metadata
    assert "dagster/column_schema" in seen[2].metadata and "dagster/column_schema" not in seen[1].metadata


def test_an_unreachable_warehouse_costs_the_metadata_not_the_step(relations) -> None:
    warnings: list[str] = []

    def gone():
        raise psycopg.OperationalError("connection refused")

    seen = list(with_table_metadata(events(fail=False), MANIFEST, gone, warnings.append))
    assert [e.metadata.get("dagster/row_count") for e in seen] == [None, None, None]
    assert warnings and "connection refused" in warnings[0]
