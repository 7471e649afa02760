"""What the UI shows before any run: descriptions from the dbt yml (no Raw SQL), a description on every asset
check saying what failing means, each Python asset's table and column schema; and the local instance that
serialises dbt steps. The oracle is the dbt manifest's own yml text and the TableSpecs' declared columns."""

from __future__ import annotations

import json

import dagster as dg
import pytest

from valuation_platform.lib.dbt import DBT_POOL, DBT_PROJECT, check_description
from valuation_platform.lib.metadata import table_specs


@pytest.fixture(scope="module")
def graph():
    from valuation_platform.definitions import build_defs

    return build_defs().resolve_asset_graph()


@pytest.fixture(scope="module")
def manifest():
    return json.loads(DBT_PROJECT.manifest_path.read_text())


def test_dbt_assets_carry_their_yml_description_and_the_dbt_pool(graph, manifest):
    models = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] in ("model", "seed", "snapshot")}
    dbt_keys = [k for k in graph.get_all_asset_keys() if "dbt" in graph.get(k).kinds]
    assert len(dbt_keys) == len(models)
    for key in dbt_keys:
        node = graph.get(key)
        assert "Raw SQL" not in (node.description or "")
        assert node.description == models[key.path[-1]]["description"].strip(), key
        assert node.pools == {DBT_POOL}


def test_every_asset_check_has_a_description(graph):
    missing = [k.to_user_string() for k in graph.asset_check_keys if not graph.get_check_spec(k).description]
    assert missing == []
    assert len(graph.asset_check_keys) > 250


def test_python_assets_declare_their_table_and_columns(graph):
    specs = table_specs()
    bars = graph.get(dg.AssetKey("polygon_daily_bars")).metadata
    assert bars["dagster/table_name"] == "raw.polygon_daily_bars"
    columns = {c.name: c for c in bars["dagster/column_schema"].columns}
    assert list(columns) == list(specs["polygon_daily_bars"].all_columns)
    assert columns["close"].type == "double precision" and columns["close"].constraints.nullable is False
    assert columns["vwap"].constraints.nullable is True
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if "dbt" not in node.kinds and not node.is_external:
            assert node.metadata.get("dagster/table_name"), key


@pytest.mark.parametrize("node,expected", [
    ({"test_metadata": {"name": "accepted_range", "kwargs": {"column_name": "weight", "min_value": 0, "max_value": 1}},
      "refs": [{"name": "india_macro_drivers"}], "config": {"severity": "ERROR"}},
     "Fails when india_macro_drivers.weight lies outside [0, 1]. Severity error: blocks the assets downstream."),
    ({"test_metadata": {"name": "unique_combination_of_columns",
                        "kwargs": {"combination_of_columns": ["ticker", "trade_date"]}},
      "refs": [{"name": "fct_daily_prices"}], "config": {"severity": "warn"}},
     "Fails when two rows of fct_daily_prices share (ticker, trade_date): duplicate rows for one key. "
     "Severity warn: reported, downstream assets still run."),
    ({"test_metadata": {"name": "unique_combination_of_columns",
                        "kwargs": {"combination_of_columns": ["ticker", "as_of_date"], "window_column": "as_of_date"}},
      "refs": [{"name": "fct_analyst_consensus"}], "config": {"severity": "error"}},
     "Fails when two rows of fct_analyst_consensus share (ticker, as_of_date): duplicate rows for one key. "
     "A daily run checks the rows of its window (as_of_date in the window). "
     "Severity error: blocks the assets downstream."),
    ({"description": "Assets equal liabilities plus equity within 1%.", "config": {"severity": "error"}},
     "Assets equal liabilities plus equity within 1%. Severity error: blocks the assets downstream."),
])
def test_test_descriptions_say_what_failing_means(node, expected):
    assert check_description(node) == expected


def test_local_instance_limits_the_dbt_pool_to_one(tmp_path, monkeypatch):
    from valuation_platform.cli import _dagster_home

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")  # what an older `vp` wrote
    assert _dagster_home() == tmp_path
    with dg.DagsterInstance.get() as instance:
        assert instance.global_op_concurrency_default_limit == 1
