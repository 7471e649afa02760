"""The driver hierarchy against the warehouse: reference tables from the dbt seeds, macro values from
``marts.fct_macro_series``, companies from ``marts.dim_india_company``.

``updated_at``/``updated_by`` mean *when and by what the driver last changed* (its current value, weight
or direction: the columns the ``snp_india_drivers`` snapshot checks), so a rebuild that changes nothing
keeps them, and a re-run is a no-op for the table, the snapshot and the changelog.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import psycopg

from valuation_platform.analytics.india.driver_hierarchy import (
    UPDATED_BY,
    HierarchyValidation,
    IndiaReference,
    apply_adjustments,
    apply_discoveries,
    build_driver_hierarchy,
    validate_driver_hierarchy,
)
from valuation_platform.pipelines.india.reference import read_reference
from valuation_platform.pipelines.report import Chart, Json, Markdown, load_report, merge, table_report
from valuation_platform.warehouse.query import fetch_dicts, relation_exists
from valuation_platform.warehouse.tables.india import INDIA_DRIVERS
from valuation_platform.warehouse.tables.intelligence import DISCOVERED_DRIVERS, DRIVER_ADJUSTMENTS
from valuation_platform.warehouse.upsert import upsert

CHANGE_COLUMNS = ("current_value", "weight", "direction")
UNIVERSE_QUERY = (
    "select nse_symbol, accord_code, valuation_group, valuation_subgroup, alpha_config_id "
    "from marts.dim_india_company order by company_key"
)



def read_universe(conn: psycopg.Connection) -> list[dict[str, Any]]:
    return fetch_dicts(conn.execute(UNIVERSE_QUERY))


def read_macro_rows(conn: psycopg.Connection, series_ids: Sequence[str]) -> list[dict[str, Any]]:
    return fetch_dicts(
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



def read_approved_discoveries(conn: psycopg.Connection) -> list[dict[str, Any]]:
    """APPROVED discovered drivers (the approval gate's output; absent table = none yet)."""
    if not relation_exists(conn, DISCOVERED_DRIVERS.qualified):
        return []
    return fetch_dicts(conn.execute("select * from analytics.discovered_drivers where status = 'APPROVED' "
                               "order by reviewed_at, discovery_id"))


def read_applied_adjustments(conn: psycopg.Connection) -> list[dict[str, Any]]:
    if not relation_exists(conn, DRIVER_ADJUSTMENTS.qualified):
        return []
    return fetch_dicts(conn.execute("select driver_key, field, value_number, value_text, trigger, requested_at, status "
                               "from analytics.india_driver_adjustments where status = 'APPLIED'"))


def series_released(macro_rows: Sequence[Mapping[str, Any]]) -> dict[str, datetime]:
    """The latest release time per series: an override of a series-driven value holds until then."""
    latest: dict[str, datetime] = {}
    for row in macro_rows:
        released = row.get("released_at")
        if released is not None and (row["series_id"] not in latest or released > latest[row["series_id"]]):
            latest[row["series_id"]] = released
    return latest


def build_drivers(
    conn: psycopg.Connection, *, now: datetime, updated_by: str
) -> tuple[list[dict[str, Any]], IndiaReference, list[dict[str, Any]], int, list[str]]:
    """``(driver rows, reference, universe rows, drivers changed since the stored table, discovery ids in
    the rows)``: the reference hierarchy, plus the approved discovered drivers, with the applied
    adjustments laid over it."""
    reference = read_reference(conn)
    universe = read_universe(conn)
    macro = read_macro_rows(conn, sorted(reference.referenced_series()))
    rows = build_driver_hierarchy(reference, macro, universe, now=now, updated_by=updated_by)
    rows, discovered = apply_discoveries(rows, read_approved_discoveries(conn), now=now)
    rows = apply_adjustments(rows, read_applied_adjustments(conn), series_released(macro))
    stored = {
        r["driver_key"]: r
        for r in fetch_dicts(
            conn.execute("select driver_key, current_value, weight, direction, updated_at, updated_by "
                         "from analytics.india_drivers")
        )
    }
    rows, changed = keep_unchanged_stamps(rows, stored)
    return rows, reference, universe, changed, discovered


def validate_rows(
    rows: Sequence[Mapping[str, Any]],
    reference: IndiaReference,
    universe: Sequence[Mapping[str, Any]],
    series_ids: set[str],
) -> HierarchyValidation:
    return validate_driver_hierarchy(rows, universe, series_ids, subgroups=reference.subgroup_pairs())


def validate_stored(conn: psycopg.Connection) -> HierarchyValidation:
    """The invariants on what the warehouse holds now (the asset checks run this)."""
    rows = fetch_dicts(conn.execute("select * from analytics.india_drivers order by driver_key"))
    return validate_rows(rows, read_reference(conn), read_universe(conn), known_series(conn))


def rebuild_drivers(conn: psycopg.Connection, *, now: datetime, updated_by: str) -> dict[str, Any]:
    """Every driver with its current value into ``analytics.india_drivers``; drivers gone from the reference
    tables (or whose company left the universe) leave it. Reports the changes and the hierarchy's coverage."""
    if updated_by not in UPDATED_BY:
        raise ValueError(f"updated_by {updated_by!r} not in {sorted(UPDATED_BY)}")
    rows, reference, universe, changed, discovered = build_drivers(conn, now=now, updated_by=updated_by)
    validation = validate_rows(rows, reference, universe, known_series(conn))
    result = upsert(conn, INDIA_DRIVERS, rows, source="driver_hierarchy")
    with conn.transaction():
        removed = conn.execute("delete from analytics.india_drivers where not (driver_key = any(%s))",
                               ([r["driver_key"] for r in rows],)).rowcount
        first_applied = conn.execute(
            "update analytics.discovered_drivers set applied_at = %s "
            "where discovery_id = any(%s) and applied_at is null", (now, discovered)).rowcount if discovered else 0
    coverage = validation.coverage
    return merge(
        table_report(conn, INDIA_DRIVERS.qualified, order_by="driver_level, driver_key"),
        load_report([result]),
        {
            "drivers_changed": changed,
            "drivers_removed": removed,
            "discovered_drivers_in_hierarchy": len(discovered),
            "discovered_drivers_first_applied": first_applied,
            **{k: Json(coverage[k]) for k in ("drivers_per_level", "signals_per_level")},
            "companies_per_group": Json(sorted(coverage["companies_per_group"].items())),
            **{k: coverage[k] for k in ("companies_full_chain", "companies_total", "subgroups_covered",
                                        "series_linked_with_value")},
            "violations": Json(Counter(v["rule"] for v in validation.violations)),
        },
        {"subgroup_drivers": chart} if (chart := subgroup_chart(rows)) else {},
        {"macro_series_and_drivers": macro} if (macro := macro_chart(conn, rows)) else {},
    )


def macro_chart(conn: psycopg.Connection, rows: list[dict[str, Any]]) -> Chart | None:
    """The series of the heaviest MACRO driver that has one stored, with the levels of every driver on it."""
    with conn.transaction():
        stored = known_series(conn)
    macro = sorted((r for r in rows if r["driver_level"] == "MACRO" and r["series_id"] in stored),
                   key=lambda r: (-(r["weight"] or 0.0), r["driver_key"]))
    if not macro:
        return None
    series_id = macro[0]["series_id"]
    with conn.transaction():
        history = conn.execute("select ref_period, value from marts.fct_macro_series where series_id = %s "
                               "order by ref_period", (series_id,)).fetchall()
    drivers = [r for r in rows if r["series_id"] == series_id and r["driver_level"] == "MACRO"]
    return Chart("macro", f"{series_id} and its drivers' bull / base / bear levels", {
        "date": [d for d, _ in history], "value": [v for _, v in history],
        **{k: [r[k] for r in drivers] for k in ("driver_name", "bull_value", "base_value", "bear_value")},
    })


def subgroup_chart(rows: list[dict[str, Any]]) -> Chart | None:
    """One subgroup's hierarchy for the asset page (the first by name): its group's drivers, then its own."""
    subgroups = sorted({(r["valuation_group"], r["valuation_subgroup"]) for r in rows
                        if r["driver_level"] == "SUBGROUP" and r["valuation_subgroup"]})
    if not subgroups:
        return None
    group, subgroup = subgroups[0]
    chosen = [r for r in rows if (r["driver_level"] == "GROUP" and r["valuation_group"] == group)
              or (r["driver_level"] == "SUBGROUP" and r["valuation_subgroup"] == subgroup)]
    chosen.sort(key=lambda r: (r["driver_level"] != "GROUP", -(r["weight"] or 0.0)))
    return Chart("drivers", f"{group} / {subgroup}: group and subgroup driver weights",
                 {k: [r[k] for r in chosen] for k in ("driver_level", "driver_name", "weight")})


# Asset check name -> the validation rules (analytics.india.driver_hierarchy) it reports.
CHECK_RULES: dict[str, frozenset[str]] = {
    "driver_weights_within_bounds": frozenset({
        "macro_weight_total", "group_weight_bounds", "subgroup_weight_bounds", "subgroup_driver_count",
        "company_weight_bounds", "weight_out_of_range", "missing_weight", "duplicate_driver", "unknown_level",
    }),
    "every_subgroup_covered": frozenset({
        "group_not_covered", "subgroup_not_covered", "subgroup_group_mismatch",
    }),
    "driver_series_exist": frozenset({"unknown_series"}),
    "companies_resolve_full_chain": frozenset({"broken_chain", "orphan_company_driver"}),
}
EXAMPLES = 20  # violations listed per check; the count covers all of them


def check_stored(conn: psycopg.Connection) -> dict[str, tuple[bool, dict[str, Any]]]:
    """Each check of :data:`CHECK_RULES` on what the warehouse holds now: ``name -> (passed, report)``."""
    validation = validate_stored(conn)
    out: dict[str, tuple[bool, dict[str, Any]]] = {}
    for name, rules in CHECK_RULES.items():
        found = [v for v in validation.violations if v["rule"] in rules]
        examples = "\n".join(f"- {v['rule']} {v['scope']}: {v['message']}" for v in found[:EXAMPLES])
        out[name] = (not found, {
            "violations": len(found),
            "examples": Markdown(examples or "none"),
            "drivers_per_level": Json(validation.coverage["drivers_per_level"]),
            "companies_full_chain": validation.coverage["companies_full_chain"],
        })
    return out
