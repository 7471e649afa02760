"""dbt in the step's own process: ``dbtRunner`` on a manifest parsed once per process, its events turned into
Dagster events by dagster-dbt exactly as a ``dbt`` subprocess's JSON log lines are.

Why not dagster-dbt's subprocess: each one paid ~4.5 s of CPU before its first SQL statement (starting Python,
importing dbt, whose serializers mashumaro compiles in every process, loading the partial-parse state and
writing it back), and a whole-project parse (~10 s) for every database it had no parse state for. A
whole-graph run has about ten dbt steps; the test suite, with a database per scenario, about forty.

The parse is cached per process, dbt project files (paths, sizes, modification times) and profile without its
database: a parsed manifest names the database in each node (``database`` and the quoted ``relation_name``)
and nothing else in this project reads the target database at parse time (no ``target.database`` in models,
macros or configs; tests/lib/test_dbt_in_process.py compares a moved manifest with a parse for the other
database), so a build into another database gets a copy with those two fields moved.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliInvocation
from dagster_dbt.asset_utils import (
    DAGSTER_DBT_EXCLUDE_METADATA_KEY,
    DAGSTER_DBT_SELECT_METADATA_KEY,
    DAGSTER_DBT_SELECTOR_METADATA_KEY,
    DBT_INDIRECT_SELECTION_ENV,
    get_manifest_and_translator_from_dbt_assets,
    get_subset_selection_for_context,
)
from dagster_dbt.errors import DagsterDbtCliRuntimeError
from packaging import version

from valuation_platform.lib.dbt_behavior_flags import repair_behavior_flags

PARTIAL_PARSE_FILE = "partial_parse.msgpack"
PROFILE_DATABASE = "VP_PG_DBNAME"
PREPARED_DATABASE_FILE = "partial_parse.database"  # beside `vp prepare`'s state: the database it parsed for
DEFAULT_DATABASE = "valuation_platform"  # profiles.yml's default for VP_PG_DBNAME
# What dbt reads besides the project's paths (dbt_project.yml's *-paths, read below)
PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "selectors.yml", "packages.yml", "dependencies.yml")
PROJECT_PATHS = ("model-paths", "seed-paths", "macro-paths", "test-paths", "snapshot-paths", "analysis-paths")
# dbt's stdout logger shows info and above; the debug events go to dbt.log only, as with the subprocess
STREAMED_LEVELS = frozenset({"info", "warn", "error"})


def profile_settings() -> tuple[tuple[str, str], ...]:
    """The variables dbt_project/profiles.yml reads (VP_PG_HOST, _PORT, _USER, _PASSWORD, _DBNAME, VP_DBT_TARGET)
    as this process has them: what tells one dbt profile from another."""
    return tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("VP_PG_") or k == "VP_DBT_TARGET"))


def server_settings() -> tuple[tuple[str, str], ...]:
    """The profile but its database: what one parse (and its partial-parse state) serves."""
    return tuple(item for item in profile_settings() if item[0] != PROFILE_DATABASE)


def project_signature(project_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """Each file dbt parses, with its size and modification time: a changed file makes a new parse."""
    import yaml

    config = yaml.safe_load((project_dir / "dbt_project.yml").read_text()) or {}
    folders = {p for key in PROJECT_PATHS for p in config.get(key, [])}
    found: list[tuple[str, int, int]] = []
    for name in PROJECT_FILES:
        path = project_dir / name
        if path.exists():
            stat = path.stat()
            found.append((name, stat.st_mtime_ns, stat.st_size))
    for folder in sorted(folders):
        for root, _dirs, files in os.walk(project_dir / folder):
            for name in files:
                path = Path(root, name)
                stat = path.stat()
                found.append((str(path.relative_to(project_dir)), stat.st_mtime_ns, stat.st_size))
    return tuple(sorted(found))


class ManifestCache:
    """dbt's parsed ``Manifest`` for the current profile, parsed once per process, project state and server
    (the profile but its database), moved into the profile's database for each build."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._parsed: dict[tuple[Any, ...], tuple[str, Any]] = {}  # key -> (database parsed for, Manifest)

    def manifest(self, project_dir: Path, profiles_dir: Path, target_root: Path) -> Any:
        """A copy of the parsed manifest with its nodes in the profile's database (a build writes compiled
        code into the nodes it runs, so each build gets its own)."""
        database = os.environ.get(PROFILE_DATABASE) or DEFAULT_DATABASE
        server = server_settings()
        key = (str(project_dir), str(profiles_dir), project_signature(project_dir), server)
        with self._lock:
            if key not in self._parsed:
                self._parsed.clear()  # an older project state is never asked for again
                self._parsed[key] = parse(project_dir, profiles_dir, target_root, server, database)
            parsed_for, manifest = self._parsed[key]
            # dbt's own copy: copy.deepcopy of a Manifest goes through a __reduce_ex__ that does not match its
            # fields in dbt 1.11
            return move_to_database(manifest.deepcopy(), parsed_for, database)


def state_folder(target_root: Path, server: tuple[tuple[str, str], ...]) -> Path:
    """Where the partial-parse state of one server (the profile but its database) is kept."""
    return target_root / "parse_states" / hashlib.sha256(repr(server).encode()).hexdigest()[:16]


def parse(project_dir: Path, profiles_dir: Path, target_root: Path, server: tuple[tuple[str, str], ...],
          database: str) -> tuple[str, Any]:
    """`dbt parse` in this process; returns the database it parsed for and dbt's Manifest.

    It starts from the partial-parse state last written for this server (``<target root>/parse_states/``),
    parsing for the database that state was written for: dbt parses the whole project again (~10 s) when any
    part of the profile differs, the database included. Without one, from the state `vp prepare` left in the
    target root, for the database it recorded (a whole parse when that was for another server)."""
    from dbt.cli.main import dbtRunner

    repair_behavior_flags()  # before the first adapter of the process (every build here parses first)
    folder = state_folder(target_root, server)
    state, recorded = folder / PARTIAL_PARSE_FILE, folder / "database"
    prepared, prepared_for = target_root / PARTIAL_PARSE_FILE, target_root / PREPARED_DATABASE_FILE
    if state.exists() and recorded.exists():
        seed, database = state, recorded.read_text()
    else:  # `vp prepare`'s state: a partial parse when it was for this server
        seed = prepared
        if prepared.exists() and prepared_for.exists():
            database = prepared_for.read_text()
    workdir = Path(tempfile.mkdtemp(prefix="dbt_parse_"))
    try:
        if seed.exists():
            shutil.copy(seed, workdir / PARTIAL_PARSE_FILE)
        with _parse_environment(database):
            result = dbtRunner().invoke(["parse", *project_args(project_dir, profiles_dir, workdir),
                                         "--log-level", "none", "--no-write-json"])
        if not result.success:
            raise DagsterDbtCliRuntimeError(f"dbt parse of {project_dir} failed: {result.exception}")
        written = workdir / PARTIAL_PARSE_FILE
        if written.exists():
            folder.mkdir(parents=True, exist_ok=True)
            _replace(state, written.read_bytes())
            _replace(recorded, database.encode())
        return database, result.result
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _replace(path: Path, content: bytes) -> None:
    """``path`` with ``content``, renamed into place: a concurrent process never reads half a file."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}")
    partial.write_bytes(content)
    os.replace(partial, path)


@contextmanager
def _parse_environment(database: str) -> Iterator[None]:
    """The environment `vp prepare` parses with, for ``database``: no run window or scores selection (VP_DBT_*
    but the target), so a parse is the same whatever step comes first and its state stays valid for the next."""
    saved = {k: v for k, v in os.environ.items()
             if (k.startswith("VP_DBT_") and k != "VP_DBT_TARGET") or k == PROFILE_DATABASE}
    for name in saved:
        del os.environ[name]
    os.environ[PROFILE_DATABASE] = database
    try:
        yield
    finally:
        os.environ.pop(PROFILE_DATABASE, None)
        os.environ.update(saved)


def prepare(project_dir: Path, profiles_dir: Path, target_root: Path, manifest_path: Path) -> None:
    """What `dbt parse` leaves for Dagster, from this process's parse: ``manifest.json`` (the manifest Dagster
    builds the dbt assets from, in the profile's database), and beside it the server's partial-parse state
    with the database it was parsed for (the next process's first parse starts from it). A new database costs
    a partial parse and a move, not a whole parse (the test session prepares for a new one every time)."""
    manifest = MANIFESTS.manifest(project_dir, profiles_dir, target_root)
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    manifest.writable_manifest().write(str(manifest_path))
    folder = state_folder(target_root, server_settings())
    for name, beside in ((PARTIAL_PARSE_FILE, PARTIAL_PARSE_FILE), ("database", PREPARED_DATABASE_FILE)):
        if (folder / name).exists():
            shutil.copy(folder / name, target_root / beside)


def move_to_database(manifest: Any, parsed_for: str, database: str) -> Any:
    """``manifest`` (dbt's Manifest, changed in place) with the nodes that lived in ``parsed_for`` in ``database``."""
    if parsed_for == database:
        return manifest
    old, new = f'"{parsed_for}".', f'"{database}".'
    for node in (*manifest.nodes.values(), *manifest.sources.values(), *manifest.unit_tests.values()):
        if getattr(node, "database", None) == parsed_for:
            node.database = database
        relation = getattr(node, "relation_name", None)
        if relation and relation.startswith(old):
            node.relation_name = new + relation.removeprefix(old)
    manifest.build_flat_graph()  # the graph the Jinja context reads holds the nodes as dicts
    return manifest


MANIFESTS = ManifestCache()


def project_args(project_dir: Path, profiles_dir: Path, target: Path) -> list[str]:
    return ["--project-dir", str(project_dir), "--profiles-dir", str(profiles_dir),
            "--target-path", str(target), "--log-path", str(target), "--no-use-colors",
            "--no-send-anonymous-usage-stats"]


@dataclass
class InProcessDbtInvocation(DbtCliInvocation):
    """dagster-dbt's invocation over events dbt already produced in this process: ``stream()``,
    ``is_successful()`` and ``get_error()`` behave as for a subprocess (the same event conversion, checks and
    errors), the events read from a list instead of a pipe."""

    events: list[dict[str, Any]] = field(default_factory=list)
    succeeded: bool = False
    exception: BaseException | None = None
    command: str = ""

    def _stream_stdout(self) -> Iterator[str | dict[str, Any]]:
        for event in self.events:
            if event["info"]["level"] == "error":
                self._error_messages.append(event["info"]["msg"])
            yield event

    def is_successful(self) -> bool:
        if not self._stdout:  # read once, as a subprocess's pipe is (the error messages are gathered on reading)
            self._stdout = list(self._stream_stdout())
        return self.succeeded and not self._error_messages

    def get_error(self) -> Exception | None:
        if self.is_successful():
            return None
        log = self.target_path / "dbt.log"
        cause = f"\n\n{type(self.exception).__name__}: {self.exception}" if self.exception is not None else ""
        return DagsterDbtCliRuntimeError(
            description=f"dbt `{self.command}` failed (in process; debug log: {log}).{cause}"
                        f"{self._format_error_messages()}")

    @property
    def dbt_command(self) -> str:
        return self.command


def selection_args(context: dg.AssetExecutionContext, manifest: Mapping[str, Any],
                   translator: DagsterDbtTranslator) -> tuple[list[str], str | None]:
    """dagster-dbt's ``--select``/``--exclude`` for what the step is asked to build, and the indirect selection
    its checks need. Always as plain arguments: a process has no command-line length limit, so never
    dagster-dbt's generated selectors.yml in a copy of the project (which it writes past 200 resources)."""
    return get_subset_selection_for_context(
        context=context, manifest=manifest,
        select=context.op.tags.get(DAGSTER_DBT_SELECT_METADATA_KEY),
        exclude=context.op.tags.get(DAGSTER_DBT_EXCLUDE_METADATA_KEY),
        selector=context.op.tags.get(DAGSTER_DBT_SELECTOR_METADATA_KEY),
        dagster_dbt_translator=translator,
        current_dbt_indirect_selection_env=os.getenv(DBT_INDIRECT_SELECTION_ENV),
    )


def invoke(
    args: Sequence[str],
    *,
    context: dg.AssetExecutionContext,
    project_dir: Path,
    profiles_dir: Path,
    target_path: Path,
    target_root: Path,
    cli_version: version.Version,
) -> InProcessDbtInvocation:
    """Run ``dbt <args>`` for the assets the step is asked to build, in this process, and return the invocation
    whose ``stream()`` yields their Dagster events. dbt runs to the end before this returns."""
    from dbt.cli.main import dbtRunner
    from dbt_common.events.functions import msg_to_dict

    manifest, translator, project = get_manifest_and_translator_from_dbt_assets([context.assets_def])
    selection, indirect = selection_args(context, manifest, translator)
    command = [*args, *selection, *project_args(project_dir, profiles_dir, target_path),
               *(["--indirect-selection", indirect] if indirect else []),
               # dbt's own stdout logger off (the events below are echoed as dagster-dbt does); its debug log kept
               "--log-level", "none", "--log-level-file", "debug"]
    events: list[dict[str, Any]] = []

    def collect(message: Any) -> None:  # called from dbt's worker threads too: list.append is atomic
        if message.info.level in STREAMED_LEVELS:
            events.append(msg_to_dict(message))

    target_path.mkdir(parents=True, exist_ok=True)
    parsed = MANIFESTS.manifest(project_dir, profiles_dir, target_root)
    result = dbtRunner(manifest=parsed, callbacks=[collect]).invoke(command)
    return InProcessDbtInvocation(
        process=None,  # type: ignore[arg-type]  # no subprocess: the methods that read it are overridden
        manifest=manifest, dagster_dbt_translator=translator, project_dir=project_dir, target_path=target_path,
        raise_on_error=True, cli_version=cli_version, project=project, context=context,
        events=events, succeeded=bool(result.success), exception=result.exception,
        command="dbt " + " ".join(command),
    )

