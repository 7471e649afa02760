"""The dbt resource learns dbt's version from the installed dbt-core when `dbt` is the one beside this
interpreter, and asks the executable (`dbt --version`) otherwise."""

import re
import subprocess
import sys
from pathlib import Path

from packaging import version

from valuation_platform.lib.dbt import DBT_PROJECT, PlatformDbtCliResource


def test_the_venvs_dbt_reports_the_version_its_cli_prints() -> None:
    dbt = Path(sys.executable).parent / "dbt"
    printed = subprocess.check_output([str(dbt), "--version"], text=True)  # the CLI's own answer
    installed = re.search(r"installed:\s*(\d+\.\d+\.\d+)", printed)
    assert installed, printed
    assert PlatformDbtCliResource(project_dir=DBT_PROJECT)._cli_version == version.parse(installed.group(1))


def test_another_executable_is_asked(tmp_path: Path) -> None:
    fake = tmp_path / "dbt"  # a dbt that is not this interpreter's: its own `--version` answer is taken
    fake.write_text("#!/bin/sh\nprintf 'Core:\\n  - installed: 2.0.0-preview.7\\n'\n")
    fake.chmod(0o755)
    resource = PlatformDbtCliResource(project_dir=DBT_PROJECT, dbt_executable=str(fake))
    assert resource._cli_version == version.parse("2.0.0")


def test_the_adapter_is_made_once_per_profile_and_keeps_to_its_database(pg_admin, fresh_db, tmp_path, monkeypatch) -> None:
    """dagster-dbt's adapter (row counts, column types) is built once per process and profile; another
    database gets its own, and an in-process dbt run for another database in between (what the tests' dbt
    helpers do: dbt resets its adapter registry) leaves it reading its own database."""
    from dbt.cli.main import dbtRunner

    from valuation_platform.lib.dbt import BUILD, DBT_PROJECT_DIR

    def adapter_for(db):  # type: ignore[no-untyped-def]
        for key, value in db.dbt_env().items():
            monkeypatch.setenv(key, value)
        return PlatformDbtCliResource(project_dir=DBT_PROJECT)._initialize_dbt_core_adapter(BUILD)

    def database(adapter) -> str:  # type: ignore[no-untyped-def]
        with adapter.connection_named("vp_test"):
            return adapter.execute("select current_database()", fetch=True)[1].rows[0][0]

    first = adapter_for(fresh_db)
    assert adapter_for(fresh_db) is first
    other = adapter_for(pg_admin)
    assert other is not first and database(other) == "postgres"
    # dbt in-process against the admin database (its profile is in the environment now)
    result = dbtRunner().invoke(["debug", "--connection", "--project-dir", str(DBT_PROJECT_DIR),
                                 "--profiles-dir", str(DBT_PROJECT_DIR), "--log-path", str(tmp_path)])
    assert result.success, result.exception
    assert adapter_for(fresh_db) is first and database(first) == fresh_db.dbname


def test_each_profile_keeps_its_own_partial_parse_state(tmp_path, monkeypatch) -> None:
    """What a dbt step wrote seeds the next step with the same profile, never one with another profile."""
    from valuation_platform.lib.dbt import PARTIAL_PARSE_FILE, parse_state

    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("VP_PG_DBNAME", "first")
    with parse_state("dbt_models", "run-0001") as target:
        assert not (target / PARTIAL_PARSE_FILE).exists()  # nothing yet: dagster-dbt seeds the prepared state
        target.mkdir(parents=True)
        (target / PARTIAL_PARSE_FILE).write_bytes(b"parsed for first")  # what dbt writes as it parses
    assert target.name.startswith("dbt_models-run-000") and target.parent == tmp_path / "target"
    with parse_state("dbt_models", "run-0002") as again:
        assert (again / PARTIAL_PARSE_FILE).read_bytes() == b"parsed for first"
        (again / PARTIAL_PARSE_FILE).write_bytes(b"parsed for first, later")
    monkeypatch.setenv("VP_PG_DBNAME", "second")
    with parse_state("dbt_models", "run-0003") as other:
        assert not (other / PARTIAL_PARSE_FILE).exists()
    monkeypatch.setenv("VP_PG_DBNAME", "first")
    with parse_state("dbt_daily_models", "run-0004") as daily:
        assert (daily / PARTIAL_PARSE_FILE).read_bytes() == b"parsed for first, later"
