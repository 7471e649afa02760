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
