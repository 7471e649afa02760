"""Tests that read ../shared skip on a user's clone but fail under CI=true when the folder is missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent

USES_FIXTURE = """
def test_reads_real_payloads(shared_fixtures):
    assert shared_fixtures.is_dir()
"""
SKIPS_ITSELF = """
import pytest
from pathlib import Path

def test_reads_real_payloads():
    if not (Path(__file__).resolve().parents[2] / "shared").is_dir():
        pytest.skip("../shared/fixtures is not available")
"""


def _run(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    clone = tmp_path / "clone"  # a clone with no ../shared beside it
    (clone / "tests").mkdir(parents=True, exist_ok=True)
    shutil.copy(TESTS / "conftest.py", clone / "tests" / "conftest.py")
    shutil.copy(TESTS / "__init__.py", clone / "tests" / "__init__.py")
    shutil.copytree(TESTS / "support", clone / "tests" / "support", ignore=shutil.ignore_patterns("__pycache__"))
    (clone / "tests" / "test_a.py").write_text(USES_FIXTURE)
    (clone / "tests" / "test_b.py").write_text(SKIPS_ITSELF)
    env = {k: v for k, v in os.environ.items() if k != "CI" and not k.startswith("PYTEST_XDIST")}
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "tests"],
        cwd=clone, env=env, capture_output=True, text=True, timeout=120,
    )


def test_a_users_clone_skips(tmp_path: Path) -> None:
    result = _run(tmp_path, None)
    assert result.returncode == 0, result.stdout
    assert "2 skipped" in result.stdout


def test_ci_fails_when_the_real_fixtures_are_missing(tmp_path: Path) -> None:
    result = _run(tmp_path, "true")
    assert result.returncode == 1, result.stdout
    assert "1 failed, 1 error" in result.stdout  # the fixture errors in setup, the self-skipping test fails
    assert "real fixtures missing" in result.stdout or "CI=true" in result.stdout
