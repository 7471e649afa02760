"""The approval gate: a manager's decision on a discovered driver (from the workbook, or the UI/CLI with a
run config). Approved drivers enter the hierarchy at the next drivers build; rejected ones stay in the
queue's table with reviewer, time and note.

An approval that would break the hierarchy validator's bounds (its scope's weights above 1.00, a subgroup
past 10 drivers, a driver that already exists) is refused with the reason and the suggestion stays
PENDING: the manager can make room (lower another weight in the workbook) and approve it again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg

from valuation_platform.analytics.india.driver_hierarchy import approval_violation, discovered_driver_row
from valuation_platform.warehouse.query import fetch_dicts

DECISIONS = ("APPROVED", "REJECTED")


class DecisionRefused(ValueError):
    """The decision was not recorded; the message says why."""



def decide(conn: psycopg.Connection, discovery_id: str, decision: str, reviewer: str, *, now: datetime,
           note: str | None = None) -> dict[str, Any]:
    """Record ``decision`` (APPROVED / REJECTED) on a PENDING discovered driver; raises
    :class:`DecisionRefused` naming what was wrong. Returns the updated row."""
    decision = decision.strip().upper()
    decision = {"APPROVE": "APPROVED", "REJECT": "REJECTED"}.get(decision, decision)
    if decision not in DECISIONS:
        raise DecisionRefused(f"decision {decision!r} is not one of APPROVE, REJECT")
    if not (reviewer or "").strip():
        raise DecisionRefused("a decision needs a reviewer")
    with conn.transaction():
        found = fetch_dicts(conn.execute("select * from analytics.discovered_drivers where discovery_id = %s "
                                    "for update", (discovery_id,)))
        if not found:
            raise DecisionRefused(f"discovered driver {discovery_id} does not exist")
        discovery = found[0]
        if discovery["status"] != "PENDING":
            raise DecisionRefused(f"discovered driver {discovery_id} is already {discovery['status']} "
                                  f"(by {discovery['reviewer']} at {discovery['reviewed_at']})")
        if decision == "APPROVED":
            if (discovery["current_value"] is None) != (discovery["previous_value"] is None):
                raise DecisionRefused(f"approval refused: {discovery['driver_name']} has only one of previous_value "
                                      f"and current_value (a move needs both; clear or fill the other)")
            drivers = fetch_dicts(conn.execute("select driver_key, driver_level, valuation_group, valuation_subgroup, "
                                          "company, driver_category, weight from analytics.india_drivers"))
            # approvals since the last drivers build count too: two approvals must not overfill one scope
            keys = {d["driver_key"] for d in drivers}
            waiting = [discovered_driver_row(d, now=now) for d in fetch_dicts(conn.execute(
                "select * from analytics.discovered_drivers where status = 'APPROVED'"))]
            reason = approval_violation([*drivers, *(w for w in waiting if w["driver_key"] not in keys)],
                                        discovery)
            if reason:
                raise DecisionRefused(f"approval refused: {reason}")
        row = fetch_dicts(conn.execute(
            "update analytics.discovered_drivers set status = %s, reviewer = %s, reviewed_at = %s, "
            "review_note = %s where discovery_id = %s returning *",
            (decision, reviewer.strip(), now, note or None, discovery_id)))[0]
    return row
