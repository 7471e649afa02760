"""The dbt project handle and how dbt nodes become Dagster assets (groups, owners, kinds, descriptions) and
dbt tests become asset checks whose descriptions say what a failure means."""


import importlib.metadata
import os
import shutil
import sys
import uuid
from datetime import datetime
from functools import cached_property
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
from valuation_platform.lib.dbt_metadata import with_table_metadata
from valuation_platform.lib.policies import DOMAIN_OWNERS
from valuation_platform.lib.resources import WarehouseResource
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets
from packaging import version

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
_DBT_BESIDE_PYTHON = Path(sys.executable).parent / "dbt"


def ensure_dbt_on_path() -> None:
    """dagster-dbt looks for `dbt` on PATH; make the one beside this interpreter findable (an unactivated venv)."""
    bin_dir = str(_DBT_BESIDE_PYTHON.parent)
    if _DBT_BESIDE_PYTHON.exists() and bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


ensure_dbt_on_path()


class PlatformDbtCliResource(DbtCliResource):
    """dagster-dbt's resource, told the dbt version by the installed package when `dbt` is the one beside this
    interpreter (the same dbt-core): dagster-dbt asks a `dbt --version` process, a whole dbt import before
    every dbt step, only to learn it. The dbt assets build through ``in_process`` (lib/dbt_in_process.py), not
    a dbt subprocess per step; lib/dbt_metadata.py reads their row counts and column types."""

    @cached_property
    def _cli_version(self) -> version.Version:
        if shutil.which(self.dbt_executable) == str(_DBT_BESIDE_PYTHON):
            return version.parse(importlib.metadata.version("dbt-core"))
        return super()._cli_version

    def in_process(self, args: Sequence[str], *, context: dg.AssetExecutionContext, target_path: Path) -> Any:
        """``dbt <args>`` for what the step is asked to build, run in this process on a cached parse
        (lib/dbt_in_process.py): the step's events as ``.cli(...)`` gives them, without a dbt subprocess."""
        from valuation_platform.lib.dbt_in_process import invoke

        return invoke(args, context=context, project_dir=Path(self.project_dir),
                      profiles_dir=Path(self.profiles_dir or self.project_dir), target_path=target_path,
                      target_root=target_root(), cli_version=self._cli_version)


# dbt's own DBT_TARGET_PATH (manifest.json, the parse states, the steps' folders): processes that parse for
# different servers (test workers) keep apart with one each
DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR,
                         target_path=Path(os.environ.get("DBT_TARGET_PATH", "target")))


def prepare_manifest() -> None:
    """DBT_PROJECT's manifest.json for the current profile (what `vp prepare`, every `vp` run and the test
    session do first), parsed in this process (lib/dbt_in_process.prepare): the dbt steps that follow in this
    process reuse the parse."""
    from valuation_platform.lib.dbt_in_process import prepare

    prepare(DBT_PROJECT.project_dir, Path(DBT_PROJECT.profiles_dir or DBT_PROJECT.project_dir), target_root(),
            DBT_PROJECT.manifest_path)


# Run tags that narrow the scores models to one ticker or one sector (the seed CLI's --ticker / --sector),
# re-scored against every peer's stored inputs; set them on a run launched from the UI or `vp materialize`.
SCORES_TICKERS_TAG = "vp/scores_tickers"
SCORES_SECTOR_TAG = "vp/scores_sector"


RUN_ENV_PREFIX = "VP_DBT_"  # read by the run_var macro (dbt_project/macros/run_var.sql)
RUN_SETTINGS = ("window_start", "window_end", "scores_tickers", "scores_sector")


def run_env(context: dg.AssetExecutionContext) -> dict[str, str]:
    """The run's dbt settings as ``VP_DBT_*`` environment variables for the ``run_var`` macro: the partition
    window (``window_start``/``window_end``, ISO dates, inclusive: one partition or a single-run backfill's
    whole range) for the daily incremental models' ``in_window``, plus ``scores_tickers`` / ``scores_sector``
    when the run carries the scores selection tags. Every setting is present, empty when unset, so a step never
    inherits the previous step's window in a shared process. Environment, not ``--vars``: dbt re-parses the
    whole project when --vars change, only the files that read a changed env_var() otherwise."""
    settings = dict.fromkeys(RUN_SETTINGS, "")
    if context.has_partition_key_range or context.has_partition_key:
        pdef = context.assets_def.partitions_def
        keys = context.partition_key_range
        fmt = pdef.fmt if isinstance(pdef, dg.TimeWindowPartitionsDefinition) else "%Y-%m-%d"
        settings["window_start"], settings["window_end"] = (
            datetime.strptime(k, fmt).date().isoformat() for k in (keys.start, keys.end))
    tags = context.run.tags
    if tags.get(SCORES_TICKERS_TAG):
        settings["scores_tickers"] = ",".join(t.strip().upper() for t in tags[SCORES_TICKERS_TAG].split(",") if t.strip())
    settings["scores_sector"] = tags.get(SCORES_SECTOR_TAG, "").strip()
    return {RUN_ENV_PREFIX + name.upper(): value for name, value in settings.items()}


@contextmanager
def run_environment(context: dg.AssetExecutionContext) -> Iterator[None]:
    """The run's dbt settings in this process's environment, which the dbt subprocess inherits, while the step
    runs; the previous values afterwards, so nothing else in the process (a later dbt call, a test's own dbt
    runner) builds with this run's window. An unset setting is removed rather than set empty: dbt's partial
    parse compares each env_var() with the value the manifest was parsed with (`vp prepare`: unset), so an
    unpartitioned step re-parses none of the models that read them."""
    settings = run_env(context)
    saved = {name: os.environ.get(name) for name in settings}
    try:
        for name, value in settings.items():
            _set_or_remove(name, value)
        yield
    finally:
        for name, value in saved.items():
            _set_or_remove(name, value)


def _set_or_remove(name: str, value: str | None) -> None:
    if value:
        os.environ[name] = value
    else:
        os.environ.pop(name, None)


MartPictures = Callable[[Any], Mapping[str, Any]]
"""Reads a mart just built and returns ``{metadata key: Chart}`` (pipelines/<domain>/pictures.py)."""


def with_pictures(events: Iterable[Any], pictures: Mapping[str, MartPictures],
                  connect: Callable[[], AbstractContextManager[Any]]) -> Iterator[Any]:
    """dbt's events, the materialization of each model that ``pictures`` names carrying the pictures drawn from
    that mart right after dbt built it: a dbt mart's own page shows them, no second asset is needed."""
    from valuation_platform.lib.metadata import to_metadata

    for event in events:
        unique_id = (getattr(event, "metadata", None) or {}).get("unique_id")
        model = str(getattr(unique_id, "value", unique_id) or "").rsplit(".", 1)[-1]
        if isinstance(event, dg.Output) and model in pictures:
            with connect() as conn:
                drawn = to_metadata(pictures[model](conn))
            event = event.with_metadata({**event.metadata, **drawn})
        yield event


@contextmanager
def step_folder(step: str, run_id: str) -> Iterator[Path]:
    """dbt's target and log folder for one step (named as dagster-dbt names its own). A step that succeeds
    leaves nothing behind (compiled SQL, debug log: megabytes per step, every day); a failed one keeps its
    folder, dbt.log included, and says where."""
    target = target_root() / f"{step}-{run_id[:7]}-{uuid.uuid4().hex[:7]}"
    succeeded = False
    try:
        yield target
        succeeded = True
    finally:
        if succeeded:
            shutil.rmtree(target, ignore_errors=True)
        elif target.exists():
            dg.get_dagster_logger().warning(f"dbt's folder for this step, its debug log included, is kept: {target}")


def target_root() -> Path:
    """dbt's DBT_TARGET_PATH (default target/) under the project: the steps' folders and the parse states.
    Processes that parse for different warehouses (test workers) keep apart with one each."""
    return DBT_PROJECT.project_dir / Path(os.environ.get("DBT_TARGET_PATH", "target"))


DBT_POOL = "dbt"
"""Concurrency pool of every dbt step: the local instance limits it to one (cli.LOCAL_INSTANCE), so two runs
never rebuild the same models at the same time (deploy/dagster.yaml sets the production limit)."""

# unit tests run in CI (tests/dbt), not on every production build
BUILD = ["build", "--exclude-resource-type", "unit_test"]
# what a step's dbt writes besides its log: no manifest.json, run_results.json or semantic manifest (~1 s of a
# step's CPU, 3.4 MB each; the events stream into Dagster, the prepared manifest is the one Dagster reads)
STEP_FLAGS = ["--no-write-json"]


def build_dbt_assets(
    name: str, *, select: str = "fqn:*", exclude: str = "",
    partitions_def: dg.PartitionsDefinition | None = None, pictures: Mapping[str, "MartPictures"] | None = None,
) -> dg.AssetsDefinition:
    """The dbt nodes of one selection as one multi-asset: ``dbt build`` of what a run selects, with the run's
    window and scores selection in the environment (run_env), row counts and column types read back after
    the build, and the ``pictures`` of the marts that have one. A partitioned selection backfills a range as one
    dbt run over the whole window."""
    @dbt_assets(
        manifest=DBT_PROJECT.manifest_path,
        project=DBT_PROJECT,
        dagster_dbt_translator=TRANSLATOR,
        select=select,
        exclude=exclude,
        partitions_def=partitions_def,
        backfill_policy=dg.BackfillPolicy.single_run() if partitions_def else None,
        name=name,
        pool=DBT_POOL,
    )
    def _assets(context: dg.AssetExecutionContext, dbt: PlatformDbtCliResource, warehouse: WarehouseResource):
        warehouse.export_dbt_env()
        with run_environment(context), step_folder(context.op_execution_context.op.name, context.run.run_id) as target:
            invocation = dbt.in_process([*BUILD, *STEP_FLAGS], context=context, target_path=target)
            # Read dbt's whole output before the metadata reads, so every relation exists when it is read. Column
            # types, not column lineage: sqlglot re-derives the lineage of every column of every model on every
            # build (~20 s of CPU for the two IC score marts alone); `vp docs` shows their lineage.
            invocation.is_successful()
            events = with_table_metadata(invocation.stream(), invocation.manifest, warehouse.connect, context.log.warning)
            yield from with_pictures(events, pictures or {}, warehouse.connect)

    return _assets


def model_description(node: Mapping[str, Any]) -> str:
    """The node's yml description; without one, a line naming it (never dagster-dbt's Raw SQL block)."""
    if node.get("description"):
        return str(node["description"]).strip()
    kind = node.get("resource_type", "node")
    return f"dbt {kind} {node.get('schema', '')}.{node.get('alias') or node.get('name')} (no description in its yml)."


def _model_of(node: Mapping[str, Any]) -> str:
    refs = node.get("refs") or []
    if refs:
        return refs[0]["name"] if isinstance(refs[0], Mapping) else str(refs[0][-1])
    sources = node.get("sources") or []
    return ".".join(sources[0]) if sources else "the model"


def check_description(node: Mapping[str, Any]) -> str:
    """What a failing dbt test means: its yml ``description`` when written, else said from the generic test's
    name and arguments; and whether a failure blocks downstream assets (severity error) or only warns."""
    severity = str((node.get("config") or {}).get("severity", "error")).lower()
    consequence = ("Severity error: blocks the assets downstream." if severity == "error"
                   else "Severity warn: reported, downstream assets still run.")
    if node.get("description"):
        return f"{str(node['description']).strip()} {consequence}"
    meta = node.get("test_metadata") or {}
    args = meta.get("kwargs") or {}
    model, column = _model_of(node), args.get("column_name") or node.get("column_name")
    where = f"{model}.{column}" if column else model
    generic = meta.get("name")
    if generic == "not_null":
        said = f"Fails when a row of {model} has no {column} (NULL)."
    elif generic == "unique":
        said = f"Fails when two rows of {model} share a {column}: duplicates."
    elif generic == "unique_combination_of_columns":
        key = ", ".join(args.get("combination_of_columns") or [])
        said = f"Fails when two rows of {model} share ({key}): duplicate rows for one key."
        if args.get("window_column"):
            said += f" A daily run checks the rows of its window ({args['window_column']} in the window)."
    elif generic == "accepted_range":
        said = f"Fails when {where} lies outside [{args.get('min_value', '-inf')}, {args.get('max_value', 'inf')}]."
    elif generic == "accepted_values":
        said = f"Fails when {where} holds a value other than {', '.join(map(str, args.get('values') or []))}."
    elif generic == "relationships":
        target = str(args.get("to", "")).removeprefix("ref('").removesuffix("')")
        said = f"Fails when a {where} has no matching {args.get('field')} in {target}: an orphan row."
    elif generic == "expression_is_true":
        said = f"Fails when a row of {model} breaks `{args.get('expression')}`."
    elif generic:
        said = f"Fails when {where} breaks the generic test {generic}({', '.join(k for k in args if k != 'model')})."
    else:  # a singular test: its query returns the offending rows
        said = f"Fails when tests/{node.get('original_file_path', node.get('name'))} returns rows ({node.get('name')})."
    return f"{said} {consequence}"

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
        spec = spec.replace_attributes(group_name=domain, description=model_description(node))
        return spec.merge_attributes(
            owners=[DOMAIN_OWNERS.get(domain, "team:data-platform")], kinds={"postgres"}, tags={"layer": layer}
        )


    def get_asset_check_spec(
        self, asset_spec: dg.AssetSpec, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> dg.AssetCheckSpec | None:
        check = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if check is None:
            return None
        return check._replace(description=check_description(manifest["nodes"][unique_id]))


TRANSLATOR = PlatformDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))
