"""Shared fixtures: a real (embedded) Postgres, generated mirrors, the real fixtures beside the repo."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_FIXTURES = REPO.parent / "shared" / "fixtures"


@pytest.fixture(scope="session")
def shared_fixtures() -> Path:
    if not SHARED_FIXTURES.is_dir():
        pytest.skip("../shared/fixtures is not beside this clone")
    return SHARED_FIXTURES


@pytest.fixture(scope="session", autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never touch the developer's .vp state; the embedded server itself is shared (fast start)."""
    os.environ.setdefault("DAGSTER_HOME", str(tmp_path_factory.mktemp("dagster_home")))
    for name in ("VP_SOURCE_ROOT", "VP_TICKERS", "VP_SEC_USER_AGENT"):
        os.environ.pop(name, None)


@pytest.fixture(scope="session")
def pg_admin():
    """Admin settings of the warehouse tests use: VP_TEST_DATABASE_URL or the embedded server."""
    from valuation_platform.warehouse.settings import DatabaseSettings

    url = os.environ.get("VP_TEST_DATABASE_URL")
    if url:
        return DatabaseSettings.from_url(url)
    from valuation_platform.warehouse.embedded import embedded_settings

    return embedded_settings("postgres")


@pytest.fixture
def fresh_db(pg_admin, request):
    """An empty database per test (dropped afterwards)."""
    from valuation_platform.warehouse.embedded import drop_database, ensure_database

    name = f"vpt_{request.node.name.lower()}"[:50].replace("[", "_").replace("]", "_").replace("-", "_")
    drop_database(pg_admin, name)
    ensure_database(pg_admin, name)
    yield pg_admin.with_dbname(name)
    drop_database(pg_admin, name)
