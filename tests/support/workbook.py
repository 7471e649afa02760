"""A warehouse holding the real driver hierarchy for the workbook tests: the India seeds and the macro /
company marts built by dbt (empty raw tables: series drivers without values, no companies), then the
drivers build the asset runs. Built once per test session and build time as a template database
(``session_template``); modules and tests clone it."""

from __future__ import annotations

import csv
import os
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import psycopg
from filelock import FileLock
from psycopg import sql

from tests.support.dbt_build import dbt_build
from tests.support.shared_demo import SESSION_VARIABLE
from valuation_platform.pipelines.india.drivers import rebuild_drivers
from valuation_platform.pipelines.india.reference import SEED_DIR
from valuation_platform.warehouse.bootstrap import ensure_tables
from valuation_platform.warehouse.embedded import drop_database, ensure_database
from valuation_platform.warehouse.settings import DatabaseSettings
from valuation_platform.warehouse.tables.india import INDIA_TABLES
from valuation_platform.warehouse.tables.intelligence import INTELLIGENCE_TABLES
from valuation_platform.warehouse.tables.workbook import WORKBOOK_TABLES

TABLES = [*INDIA_TABLES, *INTELLIGENCE_TABLES, *WORKBOOK_TABLES]


def build_template(admin: DatabaseSettings, name: str, workdir: Path, now: datetime) -> DatabaseSettings:
    db = admin.with_dbname(name)
    drop_database(admin, name)
    ensure_database(admin, name)
    with psycopg.connect(db.url, autocommit=True) as conn:
        ensure_tables(conn, TABLES)
    assert dbt_build(db, ["path:seeds/india", "+fct_macro_series", "+dim_india_company"], workdir) == []
    with psycopg.connect(db.url, autocommit=True) as conn:
        rebuild_drivers(conn, now=now, updated_by="macro_sync")
    return db


def session_template(admin: DatabaseSettings, base: Path, now: datetime) -> DatabaseSettings:
    """The template built at ``now``, once per test session: the first module to ask builds it under a file lock
    in ``base`` (the folder every xdist worker shares), the others reuse it; only clones are ever written to.
    The session drops it at its end (``session_templates``)."""
    name = f"{_template_prefix()}{now:%Y%m%d%H%M}"
    built = base / f"{name}.built"
    with FileLock(str(base / f"{name}.lock")):
        if not built.exists():
            build_template(admin, name, base / name / "dbt", now)
            built.touch()
    return admin.with_dbname(name)


def session_templates(base: Path) -> list[str]:
    """The templates this session built: their markers in ``base`` carry their names."""
    return [marker.stem for marker in base.glob(f"{_template_prefix()}*.built")]


def _template_prefix() -> str:
    return f"vpt_wbt_{os.environ[SESSION_VARIABLE]}_"


def clone(admin: DatabaseSettings, template: str, name: str) -> DatabaseSettings:
    drop_database(admin, name)
    with psycopg.connect(admin.with_dbname("postgres").url, autocommit=True) as conn:
        conn.execute(sql.SQL("create database {} template {}").format(sql.Identifier(name), sql.Identifier(template)))
    return admin.with_dbname(name)


def seed_subgroups() -> dict[str, tuple[float, int]]:
    """Subgroup -> (sum of weights, drivers), read straight from the seed file (the test's oracle)."""
    totals: dict[str, list[float]] = defaultdict(list)
    with (SEED_DIR / "india_subgroup_drivers.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            totals[row["valuation_subgroup"]].append(float(row["weight"]))
    return {k: (sum(v), len(v)) for k, v in totals.items()}


def discovery(discovery_id: str, group: str, subgroup: str, name: str, weight: float, at: datetime) -> dict:
    """A PENDING suggestion as the intelligence domain writes it (warehouse/tables/intelligence.py)."""
    return {"discovery_id": discovery_id, "driver_level": "SUBGROUP", "valuation_group": group,
            "valuation_subgroup": subgroup, "company": None, "driver_category": "DEMAND", "driver_name": name,
            "suggested_weight": weight, "reasoning": f"{name} moved the subgroup's earnings in recent events",
            "source_event_id": f"evt-{discovery_id}", "confidence": 0.8, "analyzer": "rule_based",
            "status": "PENDING", "suggested_at": at}
