"""The curated India reference tables (driver lists, subgroups, sector mapping, company alpha configs).

One copy of each: the dbt seeds ``dbt_project/seeds/india/india_<name>.csv``. Assets read the seeded
warehouse tables (``marts.india_<name>``, what dbt loaded); tests, benchmarks and a checkout without a
warehouse read the seed files. Both give every cell as the csv module reads it (text), so the
analytics module parses numbers one way whichever copy it gets.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from valuation_platform.analytics.india.driver_hierarchy import REFERENCE_TABLES, IndiaReference

SEED_SCHEMA = "marts"  # dbt_project.yml: seeds +schema: marts
SEED_DIR = Path(__file__).resolve().parents[3] / "dbt_project" / "seeds" / "india"  # a source checkout's


def seed_table(name: str) -> sql.Identifier:
    return sql.Identifier(SEED_SCHEMA, f"india_{name}")


def _text(value: Any) -> str:
    """A seeded cell as the csv module would read it."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value).strip()


def read_reference(conn: psycopg.Connection) -> IndiaReference:
    """The reference tables as dbt seeded them."""
    tables = {}
    for name in REFERENCE_TABLES:
        cur = conn.execute(sql.SQL("select * from {}").format(seed_table(name)))
        columns = [d.name for d in cur.description or []]
        tables[name] = [{c: _text(v) for c, v in zip(columns, row, strict=True)} for row in cur.fetchall()]
    return IndiaReference(**tables)


def read_reference_tables(directory: Path = SEED_DIR) -> IndiaReference:
    """The reference tables from their seed files (``india_<name>.csv`` in ``directory``)."""
    tables: dict[str, list[dict[str, str]]] = {}
    for name in REFERENCE_TABLES:
        with (Path(directory) / f"india_{name}.csv").open(newline="", encoding="utf-8") as handle:
            tables[name] = [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]
    return IndiaReference(**tables)
