"""Managers' edits read back from the workbook: every editable cell that differs from what the platform
last wrote is validated; driver edits become ``analytics.india_driver_adjustments`` rows (trigger PM_EDIT,
APPLIED or REJECTED with the reason), decisions go through the approval gate, post approvals mark the
social-posts queue. The platform writes each row's Status back ("applied <time>" / "rejected: <reason>")
and puts a rejected cell back to its value, one write per tab; nothing rejected reaches a driver."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql

from valuation_platform.analytics.workbook.edits import (
    POST_DECISIONS, CellEdit, Verdict, cell_text, decision_of, diff_edits, edit_number, text_value,
    validate_driver_edits,
)
from valuation_platform.pipelines.report import markdown_table
from valuation_platform.pipelines.workbook.approvals import DecisionRefused, decide
from valuation_platform.pipelines.workbook.backends import Rows, WorkbookBackend
from valuation_platform.pipelines.workbook.publish import read_snapshot
from valuation_platform.pipelines.workbook.tabs import (
    DISCOVERED, DISCOVERY_VALUES, DRIVER_TABS, EDITABLE_TABS, POSTS, STATUS, Tab,
)
from valuation_platform.warehouse.tables.intelligence import DRIVER_ADJUSTMENTS
from valuation_platform.warehouse.upsert import upsert

TRIGGER = "PM_EDIT"
REQUESTED_BY = "workbook"


def _written(snapshot: Mapping[tuple[str, str, str], str], tab: str) -> dict[tuple[str, str], str]:
    return {(k, c): v for (t, k, c), v in snapshot.items() if t == tab}


def find_edits(conn: psycopg.Connection, backend: WorkbookBackend) -> tuple[dict[str, list[CellEdit]], dict[str, Rows]]:
    """``({tab: edits}, {tab: values})`` of the editable tabs (one read of the workbook)."""
    snapshot = read_snapshot(conn)
    values = backend.read([t.name for t in EDITABLE_TABS])
    edits = {t.name: diff_edits(t.name, values[t.name], t.key or "", t.editable, _written(snapshot, t.name))
             for t in EDITABLE_TABS if values[t.name]}
    return {k: v for k, v in edits.items() if v}, values


def edits_fingerprint(edits: Mapping[str, Sequence[CellEdit]]) -> str:
    """What the sensor keys its run on: the same pending edits never launch two runs."""
    text = "\n".join(f"{e.cell}={cell_text(e.new)}" for tab in sorted(edits) for e in edits[tab])
    return hashlib.md5(text.encode()).hexdigest()


def _drivers(conn: psycopg.Connection) -> dict[str, dict[str, Any]]:
    cur = conn.execute("select driver_key, driver_level, valuation_group, valuation_subgroup, company, "
                       "driver_category, weight from analytics.india_drivers")
    columns = [d.name for d in cur.description or []]
    return {r[0]: dict(zip(columns, r, strict=True)) for r in cur.fetchall()}


def adjustment_row(verdict: Verdict, now: datetime) -> dict[str, Any]:
    e = verdict.edit
    value = verdict.value_text if verdict.value_text is not None else (
        verdict.value_number if verdict.value_number is not None else cell_text(e.new))
    identity = f"{TRIGGER}|{e.cell}@{now.isoformat()}|{e.row_key}|{e.column}|{value}"
    return {
        "adjustment_id": hashlib.md5(identity.encode()).hexdigest(),
        "driver_key": e.row_key, "field": e.column,
        "value_number": verdict.value_number, "value_text": verdict.value_text if verdict.ok else (
            None if verdict.value_number is not None else cell_text(e.new)),
        "trigger": TRIGGER, "source_ref": e.cell, "reason": f"workbook edit (was {e.old or 'blank'})",
        "requested_by": REQUESTED_BY, "requested_at": now,
        "status": "APPLIED" if verdict.ok else "REJECTED", "rejection_reason": verdict.reason,
    }


def _cell_of(values: Rows, row: int, header: Sequence[Any], column: str) -> Any:
    at = list(header).index(column)
    return values[row][at] if at < len(values[row]) else None


def _discovery_values(conn: psycopg.Connection, edits: Sequence[CellEdit]) -> list[Verdict]:
    """A PENDING suggestion's previous / current value as a manager typed it (a blank cell clears it); a
    decided one's values are the driver's, edited in its driver tab."""
    out: list[Verdict] = []
    for e in (e for e in edits if e.column in DISCOVERY_VALUES):
        value = None if cell_text(e.new) == "" else edit_number(e)
        if isinstance(value, str):
            out.append(Verdict(e, False, reason=value))
            continue
        updated = conn.execute(
            sql.SQL("update analytics.discovered_drivers set {} = %s where discovery_id = %s and status = 'PENDING'")
            .format(sql.Identifier(e.column)), (value, e.row_key)).rowcount
        out.append(Verdict(e, True, value_number=value) if updated else Verdict(
            e, False, reason=f"{e.row_key} is no longer PENDING: edit the driver's value in its driver tab"))
    return out


def _decisions(conn: psycopg.Connection, edits: Sequence[CellEdit], values: Rows, now: datetime) -> list[Verdict]:
    """Edits of the Discovered Drivers tab: a row's values first, then its decision through the approval gate
    (reviewer and note are read from the same row; an edit of reviewer/note alone decides nothing)."""
    header = values[0]
    out: list[Verdict] = []
    rows = {e.row for e in edits}
    for row in sorted(rows):
        row_edits = [e for e in edits if e.row == row]
        out += _discovery_values(conn, row_edits)
        row_edits = [e for e in row_edits if e.column not in DISCOVERY_VALUES]
        decision_edit = next((e for e in row_edits if e.column == "decision"), None)
        if decision_edit is None:
            continue
        reviewer = cell_text(_cell_of(values, row, header, "reviewer"))
        note = cell_text(_cell_of(values, row, header, "note")) or None
        try:
            status = decision_of(decision_edit.new, {"APPROVE": "APPROVED", "REJECT": "REJECTED"})
            if status is None:
                raise DecisionRefused("a decision cannot be cleared once made")
            decide(conn, decision_edit.row_key, status, reviewer, now=now, note=note)
            out.extend(Verdict(e, True, value_text=cell_text(e.new)) for e in row_edits)  # reviewer, note kept
        except (DecisionRefused, ValueError) as refused:
            out.append(Verdict(decision_edit, False, reason=str(refused)))
    return out


def _post_approvals(conn: psycopg.Connection, edits: Sequence[CellEdit], values: Rows, now: datetime) -> list[Verdict]:
    header = values[0]
    out: list[Verdict] = []
    for edit in (e for e in edits if e.column == "approve"):
        reviewer = cell_text(_cell_of(values, edit.row, header, "reviewer"))
        try:
            status = decision_of(edit.new, POST_DECISIONS)
            if status is None or not reviewer:
                raise ValueError("an approval needs YES or NO and a reviewer")
            updated = conn.execute(
                "update analytics.workbook_social_posts set status = %s, reviewer = %s, reviewed_at = %s "
                "where post_id = %s and status = 'PENDING_APPROVAL'", (status, reviewer, now, edit.row_key)).rowcount
            if not updated:
                raise ValueError(f"post {edit.row_key} is not waiting for approval")
            out.extend(Verdict(e, True, value_text=cell_text(e.new)) for e in edits if e.row == edit.row)
        except ValueError as refused:
            out.append(Verdict(edit, False, reason=str(refused)))
    return out


def _write_back(conn: psycopg.Connection, backend: WorkbookBackend, tab: Tab, values: Rows,
                verdicts: Sequence[Verdict], now: datetime) -> None:
    """Status per row, rejected cells back to their value, in one write; the snapshot follows."""
    header = [str(h) for h in values[0]]
    status_at = header.index(STATUS)
    by_row: dict[int, list[Verdict]] = defaultdict(list)
    for v in verdicts:
        by_row[v.edit.row].append(v)
    cells: dict[tuple[int, int], Any] = {}
    stamp = now.strftime("%Y-%m-%d %H:%M UTC")
    snapshot: list[tuple[str, str, str]] = []
    for row, found in by_row.items():
        rejected = [v for v in found if not v.ok]
        text = ("rejected: " + "; ".join(f"{v.edit.column} {v.reason}" if not v.reason.startswith(v.edit.column)
                                          else v.reason for v in rejected)) if rejected else f"applied {stamp}"
        key = found[0].edit.row_key
        cells[(row, status_at)] = text
        snapshot.append((key, STATUS, text))
        for v in found:
            if v.ok:
                snapshot.append((key, v.edit.column, cell_text(v.edit.new)))
            else:
                cells[(row, v.edit.col)] = text_value(v.edit.old)
    backend.write_cells(tab.name, cells)
    with conn.transaction():
        for key, column, value in snapshot:
            conn.execute("insert into analytics.workbook_snapshot (tab, row_key, column_name, value, written_at) "
                         "values (%s, %s, %s, %s, %s) on conflict (tab, row_key, column_name) "
                         "do update set value = excluded.value, written_at = excluded.written_at",
                         (tab.name, key, column, value, now))


def apply_workbook_edits(conn: psycopg.Connection, backend: WorkbookBackend, *, now: datetime) -> dict[str, Any]:
    """Validate and record every pending edit; report what was applied and rejected (with reasons)."""
    edits, values = find_edits(conn, backend)
    drivers = _drivers(conn) if any(t.name in edits for t in DRIVER_TABS) else {}
    verdicts: dict[str, list[Verdict]] = {}
    driver_edits = [e for t in DRIVER_TABS for e in edits.get(t.name, [])]
    checked = validate_driver_edits(driver_edits, drivers)  # one batch: MACRO weights can move together
    for tab in DRIVER_TABS:
        verdicts[tab.name] = [v for v in checked if v.edit.tab == tab.name]
    result = upsert(conn, DRIVER_ADJUSTMENTS, [adjustment_row(v, now) for v in checked], source="workbook")
    if DISCOVERED.name in edits:
        verdicts[DISCOVERED.name] = _decisions(conn, edits[DISCOVERED.name], values[DISCOVERED.name], now)
    if POSTS.name in edits:
        verdicts[POSTS.name] = _post_approvals(conn, edits[POSTS.name], values[POSTS.name], now)
    for tab in EDITABLE_TABS:
        if verdicts.get(tab.name):
            _write_back(conn, backend, tab, values[tab.name], verdicts[tab.name], now)
    every = [v for found in verdicts.values() for v in found]
    return {
        "dagster/row_count": result.rows_in,
        "workbook": backend.description,
        "edits_found": sum(len(e) for e in edits.values()),
        "applied": sum(v.ok for v in every),
        "rejected": sum(not v.ok for v in every),
        "adjustments_applied": sum(v.ok for v in checked),
        "adjustments_rejected": sum(not v.ok for v in checked),
        "decisions": sum(1 for v in verdicts.get(DISCOVERED.name, []) if v.ok and v.edit.column == "decision"),
        "verdicts": markdown_table(["cell", "row", "column", "value", "outcome"], [
            (v.edit.cell, v.edit.row_key, v.edit.column, cell_text(v.edit.new),
             "applied" if v.ok else f"rejected: {v.reason}") for v in every]),
    }
