"""dbt runs in the Dagster step's process (lib/dbt_in_process.py), on one parse per process moved into each
build's database.

* The moved manifest is what dbt itself parses for that database (the oracle: a whole `dbt parse` for it).
* The parse state is kept per server and parsed again for the database it was written for; a changed project
  file makes a new parse.
* Through Dagster: a seed lands with the CSV's row count, a model that fails raises with dbt's own error naming
  it after the seed's event, and no dbt subprocess starts.
"""

from __future__ import annotations

import csv
import shutil
import subprocess

import dagster as dg
import pytest

from tests.support.pipeline import env
from valuation_platform.lib.dbt import DBT_PROJECT, DBT_PROJECT_DIR, PlatformDbtCliResource, build_dbt_assets, step_folder, target_root
from valuation_platform.lib.dbt_in_process import (
    MANIFESTS, PARTIAL_PARSE_FILE, PREPARED_DATABASE_FILE, parse, project_signature)
from valuation_platform.lib.resources import WarehouseResource

# Fields that name when or how a node was parsed, not what it is
PARSE_BOOKKEEPING = {"created_at", "unrendered_config_call_dict"}


def _described(manifest) -> dict[str, dict]:
    return {uid: _as_a_whole_parse({k: v for k, v in node.to_dict(omit_none=True).items() if k not in PARSE_BOOKKEEPING})
            for uid, node in (*manifest.nodes.items(), *manifest.sources.items(), *manifest.unit_tests.items())}


def _as_a_whole_parse(node: dict) -> dict:
    """What a partial parse writes differently from a whole one in dbt 1.11, whatever the database: the order of
    a node's dependencies, and empty freshness thresholds where a whole parse has none."""
    node = dict(node)
    if isinstance(node.get("depends_on"), dict):
        node["depends_on"] = {k: sorted(v) if isinstance(v, list) else v for k, v in node["depends_on"].items()}
    for key in ("sources", "refs"):
        if isinstance(node.get(key), list):
            node[key] = sorted(node[key], key=repr)
    config = node.get("config") or {}
    if "freshness" in config and not any(((config["freshness"] or {}).get(k) or {}).get("count")
                                         for k in ("warn_after", "error_after")):
        node["config"] = {k: v for k, v in config.items() if k != "freshness"}
    return node


def test_a_moved_manifest_is_dbts_own_parse_for_that_database(pg_admin, tmp_path) -> None:
    """This process's parse (the session's database), moved, against dbt's own whole parse for another one."""
    server = tuple(sorted((k, v) for k, v in pg_admin.dbt_env().items() if k != "VP_PG_DBNAME"))
    root = tmp_path / "target"  # no state yet: a whole parse
    parsed_for, parsed = parse(DBT_PROJECT_DIR, DBT_PROJECT_DIR, root, server, "vpt_moved_there")
    assert parsed_for == "vpt_moved_there"
    with env(pg_admin.with_dbname("vpt_moved_there").dbt_env()):
        moved = MANIFESTS.manifest(DBT_PROJECT_DIR, DBT_PROJECT_DIR, target_root())
    expected, got = _described(parsed), _described(moved)
    assert got.keys() == expected.keys()
    differing = sorted(uid for uid in expected if got[uid] != expected[uid])
    assert not differing, [(uid, {k: (str(expected[uid].get(k))[:200], str(got[uid].get(k))[:200])
                                  for k in expected[uid].keys() | got[uid].keys()
                                  if expected[uid].get(k) != got[uid].get(k)}) for uid in differing[:3]]
    assert got["model.valuation_platform.fct_option_chain"]["relation_name"] == '"vpt_moved_there"."marts"."fct_option_chain"'

    # the server keeps its state with the database it was parsed for; a later process asking for another
    # database on that server parses (partially) for the recorded one, then moves
    [state] = root.glob(f"parse_states/*/{PARTIAL_PARSE_FILE}")
    assert (state.parent / "database").read_text() == "vpt_moved_there"
    assert parse(DBT_PROJECT_DIR, DBT_PROJECT_DIR, root, server, "vpt_another")[0] == "vpt_moved_there"

    # no state for the server yet: `vp prepare`'s, parsed for the database it recorded beside it
    prepared = tmp_path / "prepared"
    prepared.mkdir()
    shutil.copy(state, prepared / PARTIAL_PARSE_FILE)
    (prepared / PREPARED_DATABASE_FILE).write_text("vpt_moved_there")
    assert parse(DBT_PROJECT_DIR, DBT_PROJECT_DIR, prepared, server, "vpt_another")[0] == "vpt_moved_there"


def test_a_changed_project_file_changes_the_signature(tmp_path) -> None:
    project = tmp_path / "project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    before = project_signature(project)
    assert project_signature(project) == before
    assert any(name == "models/marts/options/fct_option_chain.sql" for name, _, _ in before)
    model = project / "models" / "marts" / "options" / "fct_option_chain.sql"
    model.write_text(model.read_text() + "\n-- edited\n")
    assert project_signature(project) != before
    (project / "target").mkdir()
    (project / "target" / "run.sql").write_text("select 1")  # dbt's output is not a project file
    assert len(project_signature(project)) == len(before)


def test_a_step_that_succeeds_leaves_no_folder_and_a_failed_one_keeps_its_log(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    with step_folder("dbt_models", "run-0001") as done:
        done.mkdir(parents=True)
        (done / "dbt.log").write_text("built")
    assert done.parent == tmp_path / "target" and done.name.startswith("dbt_models-run-000")
    assert not done.exists()
    with pytest.raises(RuntimeError), step_folder("dbt_models", "run-0002") as failed:
        failed.mkdir(parents=True)
        (failed / "dbt.log").write_text("Database Error in model x")
        raise RuntimeError("dbt build failed")
    assert (failed / "dbt.log").read_text() == "Database Error in model x"


def test_a_dagster_step_builds_in_process_and_fails_with_dbts_error(fresh_db, monkeypatch) -> None:
    popen = subprocess.Popen

    def no_dbt_process(args, *rest, **kwargs):  # dbt itself may ask `uname -p` (platform.processor())
        program = str(args[0] if isinstance(args, (list, tuple)) else args).split()[0]
        assert not program.endswith("dbt"), f"a dbt subprocess was started: {args}"
        return popen(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", no_dbt_process)
    # a seed, and a staging view over a source table that this empty database does not have
    assets = build_dbt_assets("in_process_probe", select="us_market_closures stg_india__drivers")
    before = set(target_root().glob("in_process_probe-*"))
    result = dg.materialize(
        [assets], raise_on_error=False,
        resources={"dbt": PlatformDbtCliResource(project_dir=DBT_PROJECT),
                   "warehouse": WarehouseResource(database_url=fresh_db.url)})
    assert not result.success
    with open(DBT_PROJECT_DIR / "seeds" / "market" / "us_market_closures.csv", newline="") as f:
        closures = len(list(csv.DictReader(f)))
    seed = [e for e in result.get_asset_materialization_events()
            if e.asset_key.path[-1] == "us_market_closures"]
    assert len(seed) == 1
    assert seed[0].materialization.metadata["dagster/row_count"].value == closures > 100
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    message = failure.step_failure_data.error.message
    assert "stg_india__drivers" in message and "does not exist" in message, message
    kept = sorted(set(target_root().glob("in_process_probe-*")) - before)  # the failed step's folder
    assert len(kept) == 1 and "stg_india__drivers" in (kept[0] / "dbt.log").read_text()
    shutil.rmtree(kept[0])


def test_prepare_writes_the_manifest_for_the_profiles_database_and_the_state_beside_it(pg_admin, tmp_path, monkeypatch) -> None:
    """`vp prepare` (and the test session) leave manifest.json in the profile's database, and the server's
    parse state with the database it was parsed for, which the next process's first parse starts from."""
    import json

    from valuation_platform.lib import dbt_in_process

    monkeypatch.setattr(dbt_in_process, "MANIFESTS", dbt_in_process.ManifestCache())  # this process's first parse
    (tmp_path / "target").mkdir()
    for name in (PARTIAL_PARSE_FILE, PREPARED_DATABASE_FILE):  # the session's: a partial parse, then a move
        shutil.copy(target_root() / name, tmp_path / "target" / name)
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    for name, value in pg_admin.with_dbname("vpt_prepared_here").dbt_env().items():
        monkeypatch.setenv(name, value)
    manifest_path = tmp_path / "target" / "manifest.json"
    dbt_in_process.prepare(DBT_PROJECT_DIR, DBT_PROJECT_DIR, tmp_path / "target", manifest_path)
    nodes = json.loads(manifest_path.read_text())["nodes"]
    assert nodes["model.valuation_platform.fct_option_chain"]["relation_name"] == '"vpt_prepared_here"."marts"."fct_option_chain"'
    assert (tmp_path / "target" / PARTIAL_PARSE_FILE).stat().st_size > 100_000
    recorded = (tmp_path / "target" / PREPARED_DATABASE_FILE).read_text()
    server = tuple(sorted((k, v) for k, v in pg_admin.dbt_env().items() if k != "VP_PG_DBNAME"))
    assert parse(DBT_PROJECT_DIR, DBT_PROJECT_DIR, tmp_path / "target", server, "vpt_elsewhere")[0] == recorded
