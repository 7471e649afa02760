"""The driver hierarchy against the warehouse: reference tables from the dbt seeds, macro values from
``marts.fct_macro_series``, companies from ``marts.dim_india_company``.

``updated_at``/``updated_by`` mean *when and by what the driver last changed* (its current value, weight
or direction: the columns the ``snp_india_drivers`` snapshot checks), so a rebuild that changes nothing
keeps them, and a re-run is a no-op for the table, the snapshot and the changelog.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import psycopg
from psycopg import sql

from valuation_platform.analytics.india.driver_hierarchy import (
    REFERENCE_TABLES,
    HierarchyValidation,
    IndiaReference,
    build_driver_hierarchy,
    validate_driver_hierarchy,
)

SEED_SCHEMA = "marts"  # dbt_project.yml: seeds +schema: marts
CHANGE_COLUMNS = ("current_value", "weight", "direction")
UNIVERSE_QUERY = (
    "select nse_symbol, accord_code, valuation_group, valuation_subgroup, alpha_config_id "
    "from marts.dim_india_company order by company_key"
)


def seed_table(name: str) -> sql.Identifier:
    return sql.Identifier(SEED_SCHEMA, f"india_{name}")


def _text(value: Any) -> str:
    """A seeded cell as the csv module would read it (the analytics module parses its own numbers)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value).strip()


def _dicts(cur: psycopg.Cursor) -> list[dict[str, Any]]:
    columns = [d.name for d in cur.description or []]
    return [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]


def read_reference(conn: psycopg.Connection) -> IndiaReference:
    tables = {}
    for name in REFERENCE_TABLES:
        rows = _dicts(conn.execute(sql.SQL("select * from {}").format(seed_table(name))))
        tables[name] = [{k: _text(v) for k, v in row.items()} for row in rows]
    return IndiaReference(**tables)


def read_universe(conn: psycopg.Connection) -> list[dict[str, Any]]:
    return _dicts(conn.execute(UNIVERSE_QUERY))


def read_macro_rows(conn: psycopg.Connection, series_ids: Sequence[str]) -> list[dict[str, Any]]:
    return _dicts(
        conn.execute(
            "select series_id, ref_period, value, released_at from marts.fct_macro_series "
            "where series_id = any(%s)",
            (list(series_ids),),
        )
    )


def known_series(conn: psycopg.Connection) -> set[str]:
    return {r[0] for r in conn.execute("select distinct series_id from marts.fct_macro_series").fetchall()}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return a == b


def keep_unchanged_stamps(
    rows: Sequence[Mapping[str, Any]], stored: Mapping[str, Mapping[str, Any]]
) -> tuple[list[dict[str, Any]], int]:
    """Rows whose value, weight and direction did not change keep their stored updated_at/updated_by."""
    out: list[dict[str, Any]] = []
    changed = 0
    for row in rows:
        old = stored.get(row["driver_key"])
        if old is not None and all(_same(row[c], old[c]) for c in CHANGE_COLUMNS):
            # Postgres hands back its own UTC zone object: normalise, so one column has one time zone.
            out.append({**row, "updated_at": old["updated_at"].astimezone(UTC), "updated_by": old["updated_by"]})
        else:
            out.append(dict(row))
            changed += 1
    return out, changed


def build_drivers(
    conn: psycopg.Connection, *, now: datetime, updated_by: str
) -> tuple[list[dict[str, Any]], IndiaReference, list[dict[str, Any]], int]:
    """``(driver rows, reference, universe rows, drivers changed since the stored table)``."""
    reference = read_reference(conn)
    universe = read_universe(conn)
    macro = read_macro_rows(conn, sorted(reference.referenced_series()))
    rows = build_driver_hierarchy(reference, macro, universe, now=now, updated_by=updated_by)
    stored = {
        r["driver_key"]: r
        for r in _dicts(
            conn.execute("select driver_key, current_value, weight, direction, updated_at, updated_by "
                         "from analytics.india_drivers")
        )
    }
    rows, changed = keep_unchanged_stamps(rows, stored)
    return rows, reference, universe, changed


def validate_rows(
    rows: Sequence[Mapping[str, Any]],
    reference: IndiaReference,
    universe: Sequence[Mapping[str, Any]],
    series_ids: set[str],
) -> HierarchyValidation:
    return validate_driver_hierarchy(rows, universe, series_ids, subgroups=reference.subgroup_pairs())


def validate_stored(conn: psycopg.Connection) -> HierarchyValidation:
    """The invariants on what the warehouse holds now (the asset checks run this)."""
    rows = _dicts(conn.execute("select * from analytics.india_drivers order by driver_key"))
    return validate_rows(rows, read_reference(conn), read_universe(conn), known_series(conn))
