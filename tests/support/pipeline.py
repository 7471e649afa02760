"""Run the real asset graph (Dagster + dbt + Postgres) against a mirror, for end-to-end tests."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import dagster as dg

from valuation_platform.cli import mirror_settings
from valuation_platform.generator.mirror import WINDOW_DAYS
from valuation_platform.generator.sec import DEFAULT_AS_OF
from valuation_platform.lib.dagster_instance import pool_connections
from valuation_platform.lib.runner import PartitionWindow, StageResult, materialize_all
from valuation_platform.warehouse.settings import DatabaseSettings


# The window of every generated mirror (generator.mirror.write_manifest): the week up to the as-of date.
SAMPLE_AS_OF = DEFAULT_AS_OF
SAMPLE_WINDOW = PartitionWindow(SAMPLE_AS_OF - timedelta(days=WINDOW_DAYS), SAMPLE_AS_OF)


@contextmanager
def env(values: Mapping[str, str | None]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_pipeline(
    mirror: Path,
    db: DatabaseSettings,
    instance: dg.DagsterInstance,
    *,
    tickers: str | None = None,
    select_groups: set[str] | None = None,
    select_keys: set[str] | None = None,
    window: PartitionWindow | None = SAMPLE_WINDOW,
    extra_env: Mapping[str, str | None] | None = None,
) -> list[StageResult]:
    """Materialize every asset (or those in ``select_groups`` / ``select_keys``) from ``mirror`` into ``db``."""
    from valuation_platform.definitions import build_defs

    # a whole generated mirror names the settings its user would make; the local workbook and the digests go
    # beside the mirror, not to the clone's data/workbook/ (where runs on other workers would write too)
    outputs = mirror.parent / f"{mirror.name}_{db.dbname}_workbook"
    values = {**mirror_settings(mirror), "VP_SOURCE_ROOT": str(mirror), "VP_DATABASE_URL": db.url, "VP_TICKERS": tickers,
              "VP_WORKBOOK_PATH": str(outputs / "valuation_workbook.xlsx"), "VP_DIGEST_DIR": str(outputs / "digests")}
    with env({**values, **(extra_env or {})}):
        defs = build_defs()
        graph = defs.resolve_asset_graph()

        def selected(key: dg.AssetKey) -> bool:
            if select_keys is not None:
                return key.to_user_string() in select_keys
            return select_groups is None or graph.get(key).group_name in select_groups

        return materialize_all(defs, instance, window, selection=selected, log=lambda _: None)


@contextmanager
def production_instance(db: DatabaseSettings) -> Iterator[dg.DagsterInstance]:
    """A Dagster instance over deploy/dagster.yaml's Postgres storage in ``db``, each of its storages keeping one
    pooled connection (lib/dagster_instance.pool_connections; the runner asks for the same, the tests' other
    uses of the instance, the UI's reads among them, share it)."""
    with dg.instance_for_test(overrides={"storage": production_storage(db)}) as instance:
        pool_connections(instance)
        yield instance


def production_storage(db: DatabaseSettings) -> dict:
    """deploy/dagster.yaml's storage section, its env values filled in for ``db``.

    The embedded server listens on a unix socket: libpq takes its directory as the ``host`` parameter.
    """
    import yaml

    deploy = Path(__file__).resolve().parents[2] / "deploy" / "dagster.yaml"
    storage = yaml.safe_load(deploy.read_text())["storage"]
    config = dict(storage["postgres"]["postgres_db"])
    values = {"hostname": db.host, "port": db.port, "username": db.user, "password": db.password,
              "db_name": db.dbname}
    for key in ("hostname", "port", "username", "password", "db_name"):
        assert isinstance(config[key], dict) and "env" in config[key], f"{key} must come from the environment"
        config[key] = values[key]
    if db.host.startswith("/"):
        config["hostname"], config["params"] = "", {"host": db.host}
    config["port"] = int(config["port"])
    return {"postgres": {"postgres_db": config}}
