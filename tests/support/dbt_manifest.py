"""One parsed dbt manifest per test process, pointed at whichever test database a test builds into.

dbt parses the whole project again (8-15 s) whenever the profile differs from the one its saved state was
parsed with, and the database is part of the profile: every scenario test, each with a database of its own,
paid a full parse. A parsed manifest names its database in each node (``database`` and the quoted
``relation_name``); nothing else in this project reads the target database at parse time (no
``target.database`` in models, macros or configs), so the process parses once, for the shared demo's database
(partially: the session's parse left that state), and each build gets a copy with those two fields moved.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
from pathlib import Path
from typing import Any

from tests.support.pipeline import env
from valuation_platform.lib.dbt import DBT_PROJECT, DBT_PROJECT_DIR
from valuation_platform.warehouse.settings import DatabaseSettings


def dbt_args(workdir: Path) -> list[str]:
    """The project and profile, with target/ and logs/ under ``workdir``."""
    return ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs"), "--quiet",
            "--no-use-colors"]


@functools.cache
def _parsed(db: DatabaseSettings) -> Any:
    from dbt.cli.main import dbtRunner

    workdir = Path(tempfile.mkdtemp(prefix="dbt_parse_"))
    state = DBT_PROJECT.manifest_path.parent / "partial_parse.msgpack"  # the session's parse (tests/conftest.py)
    if state.exists():
        (workdir / "target").mkdir()
        shutil.copy(state, workdir / "target" / state.name)
    with env(db.dbt_env()):
        parsed = dbtRunner().invoke(["parse", *dbt_args(workdir)])
    shutil.rmtree(workdir, ignore_errors=True)
    assert parsed.success, parsed.exception
    return parsed.result


def manifest_for(db: DatabaseSettings) -> Any:
    """A copy of the process's parsed manifest whose nodes live in ``db`` (dbt's ``Manifest``)."""
    from tests.support.shared_demo import database_names

    parsed_for = db.with_dbname(database_names()[0])
    # dbt's own copy (a build writes compiled code into the nodes; copy.deepcopy of a Manifest goes through a
    # __reduce_ex__ that does not match its fields in dbt 1.11)
    manifest = _parsed(parsed_for).deepcopy()
    old, new = f'"{parsed_for.dbname}".', f'"{db.dbname}".'
    for node in (*manifest.nodes.values(), *manifest.sources.values(), *manifest.unit_tests.values()):
        if getattr(node, "database", None) == parsed_for.dbname:
            node.database = db.dbname
        if getattr(node, "relation_name", None):
            assert node.relation_name.startswith(old), node.relation_name
            node.relation_name = new + node.relation_name.removeprefix(old)
    manifest.build_flat_graph()  # the graph the Jinja context reads holds the nodes as dicts
    return manifest
