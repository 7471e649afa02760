"""The dbt resource learns dbt's version from the installed dbt-core when `dbt` is the one beside this
interpreter, and asks the executable (`dbt --version`) otherwise."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
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


def test_a_step_that_succeeds_leaves_no_folder_and_a_failed_one_keeps_its_log(tmp_path, monkeypatch) -> None:
    from valuation_platform.lib.dbt import parse_state

    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    with parse_state("dbt_models", "run-0001") as done:
        done.mkdir(parents=True)
        (done / "dbt.log").write_text("built")
    assert not done.exists()
    with pytest.raises(RuntimeError), parse_state("dbt_models", "run-0002") as failed:
        failed.mkdir(parents=True)
        (failed / "dbt.log").write_text("Database Error in model x")
        raise RuntimeError("dbt build failed")
    assert (failed / "dbt.log").read_text() == "Database Error in model x"
