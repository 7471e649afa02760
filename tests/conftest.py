"""Shared fixtures: a real (embedded) Postgres, generated mirrors, the real fixtures beside the repo."""

from __future__ import annotations

import gc
import hashlib
import os
import re
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_FIXTURES = REPO.parent / "shared" / "fixtures"
PARSE_THREAD = pytest.StashKey["threading.Thread"]()


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


# Python's cycle collector, tuned for a test process that holds dbt manifests and Dagster definitions (a few
# million objects): a full collection walks all of them, and at the defaults one ran every ~3 s of a worker's
# dbt tests (~18 in 50 s). Fewer, later collections: a worker of `pytest -n 2 tests/dbt` spends ~7.7 s -> ~4.2 s
# in the collector (timed with gc.callbacks), at the cost of cyclic garbage living a little longer.
GC_THRESHOLDS = (2_000, 10, 100)


def pytest_configure(config: pytest.Config) -> None:
    """Test modules import the dbt assets, which read dbt's manifest at import: the session parses the project
    before collection (a clean clone has no manifest; a working tree's may predate its models). Under xdist the
    controller parses in a subprocess while the workers start (tests/support/session_parse.py); each worker
    waits for it before collecting and works in a dbt target folder of its own, from a copy of what it wrote.

    The parse names the shared demo's database: a manifest's relation names carry the database they were
    parsed for, and dagster-dbt's row counts and column types query those names, so the one manifest every
    worker holds in memory must be the shared demo's (other modules' runs do not read those back). It is
    parsed with the demo's whole profile (server, port, user too): dbt's partial parse starts over when the
    profile differs, so the demo's own steps then re-parse only what changed."""
    import shutil

    from filelock import FileLock

    from tests.support import session_parse

    gc.set_threshold(*GC_THRESHOLDS)
    if not (REPO / "dbt_project").is_dir():  # a tests/ folder without the project (test_real_fixture_policy)
        return
    session_target = REPO / "dbt_project" / "target"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:  # its own dbt target folder, so one worker's parse for another database never spoils the other's
        os.environ["DBT_TARGET_PATH"] = str(session_target / worker)
        session_parse.preload_libraries()
        session_parse.wait_for_parse(session_target)
        own = session_target / worker
        own.mkdir(parents=True, exist_ok=True)
        for name in ("manifest.json", "partial_parse.msgpack", "partial_parse.database"):  # the controller's parse
            shutil.copy(session_target / name, own / name)
        return
    from tests.support.shared_demo import SESSION_VARIABLE, database_names

    os.environ.setdefault(SESSION_VARIABLE, uuid.uuid4().hex[:10])  # xdist workers inherit it
    os.environ.pop("DBT_TARGET_PATH", None)  # the session's parse is the workers' source: target/ itself
    demo_profile = admin_settings().with_dbname(database_names()[0]).dbt_env()
    if getattr(config.option, "dist", "no") != "no":  # the xdist controller: it collects nothing itself
        config.stash[PARSE_THREAD] = session_parse.start_parse(session_target, demo_profile)
        return
    from tests.support.pipeline import env
    from valuation_platform.lib.dbt import prepare_manifest

    session_target.mkdir(parents=True, exist_ok=True)
    with FileLock(str(session_target / session_parse.LOCK)), env(demo_profile):
        prepare_manifest()


@pytest.fixture(scope="session")
def shared_fixtures() -> Path:
    """The real public payloads beside the repo. A user's clone skips the tests that read them; CI fails
    them instead, so the real-data coverage is never lost silently."""
    if not SHARED_FIXTURES.is_dir():
        message = f"real fixtures missing: {SHARED_FIXTURES} is not beside this clone"
        if in_ci():
            pytest.fail(message + " (CI=true: the real-data tests must run)", pytrace=False)
        pytest.skip(message)
    return SHARED_FIXTURES


@pytest.fixture(scope="session", autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never touch the developer's .vp state; the embedded server itself is shared (fast start)."""
    os.environ.setdefault("DAGSTER_HOME", str(tmp_path_factory.mktemp("dagster_home")))
    for name in ("VP_SOURCE_ROOT", "VP_TICKERS", "VP_SEC_USER_AGENT"):
        os.environ.pop(name, None)


def admin_settings():  # type: ignore[no-untyped-def]
    """Admin settings of the warehouse tests use: VP_TEST_DATABASE_URL or the embedded server."""
    from valuation_platform.warehouse.settings import DatabaseSettings

    url = os.environ.get("VP_TEST_DATABASE_URL")
    if url:
        return DatabaseSettings.from_url(url)
    from valuation_platform.warehouse.embedded import embedded_settings

    return embedded_settings("postgres")


@pytest.fixture(scope="session")
def pg_admin():
    return admin_settings()


def _session_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # the folder all workers share


@pytest.fixture(scope="session")
def shared_demo(pg_admin, tmp_path_factory):
    """The whole graph materialized once from a generated mirror (tests/support/shared_demo.py); shared by
    every end-to-end module and, under xdist, by every worker."""
    from tests.support.shared_demo import build_or_join

    return build_or_join(_session_base(tmp_path_factory), pg_admin)


@pytest.fixture(scope="session")
def session_base(tmp_path_factory) -> Path:
    """The folder every xdist worker of this session shares (locks and markers of session-wide builds)."""
    return _session_base(tmp_path_factory)


@pytest.fixture(scope="session")
def shared_mirror(tmp_path_factory) -> Path:
    """The shared demo's mirror alone, for tests that read its files but not what the demo built: they need
    not wait for the build, so they can run on another xdist worker (their own xdist group) meanwhile."""
    from tests.support.shared_demo import mirror_or_join

    return mirror_or_join(_session_base(tmp_path_factory))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Only the ``shared_demo`` xdist group may read the shared demo: a test of another group (or none) would
    have a second worker wait on the demo's lock for the whole build, while the first builds it."""
    for item in items:
        groups = {mark.args[0] if mark.args else mark.kwargs.get("name") for mark in item.iter_markers("xdist_group")}
        if "shared_demo" in getattr(item, "fixturenames", ()) and groups != {"shared_demo"}:  # xdist joins them all
            raise pytest.UsageError(f"{item.nodeid} reads the shared demo outside xdist_group('shared_demo')")


@pytest.fixture
def fresh_db(pg_admin, request):
    """An empty database per test (dropped afterwards). Named after the test, with a digest of its node id: two
    tests whose names agree in the first few dozen characters (parametrized ones) may run at once on two
    workers."""
    from valuation_platform.warehouse.embedded import drop_database, ensure_database

    readable = re.sub(r"[^a-z0-9_]", "_", request.node.name.lower())[:40]
    name = f"vpt_{readable}_{hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:8]}"
    drop_database(pg_admin, name)
    ensure_database(pg_admin, name)
    yield pg_admin.with_dbname(name)
    drop_database(pg_admin, name)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> object:
    """Under CI=true a test that skipped because the real fixtures are missing counts as failed, whichever
    way it skipped (the fixture above, or a module's own ``pytest.skip``)."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.skipped and in_ci() and "shared" in str(report.longrepr) and not SHARED_FIXTURES.is_dir():
        report.outcome = "failed"
        report.longrepr = f"CI=true but the real fixtures are missing ({SHARED_FIXTURES}): {report.longrepr}"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The controller (or a plain run) drops the session's shared databases once every worker is done: the
    shared demo's and the workbook templates."""
    if os.environ.get("PYTEST_XDIST_WORKER") or not hasattr(session.config, "_tmp_path_factory"):
        return
    parse = session.config.stash.get(PARSE_THREAD, None)
    if parse is not None:  # workers that failed to start leave the controller here early: let the parse end
        parse.join()
    base = session.config._tmp_path_factory.getbasetemp()
    if (base / "shared_demo_stages.json").exists():
        from tests.support.shared_demo import drop_databases

        drop_databases(admin_settings())
    if any(base.glob("*.built")):  # a workbook template's marker (tests/support/workbook.py imports dbt)
        from tests.support.workbook import session_templates
        from valuation_platform.warehouse.embedded import drop_database

        admin = admin_settings()
        for name in session_templates(base):
            drop_database(admin, name)
