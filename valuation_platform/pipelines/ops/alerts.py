"""Run-failure alerts as rows in analytics.platform_alerts (one per run: re-raising is idempotent)."""

from __future__ import annotations

from datetime import datetime, timezone

import psycopg

from valuation_platform.warehouse.tables.ops import PLATFORM_ALERTS
from valuation_platform.warehouse.upsert import upsert

MAX_MESSAGE = 2000


def raise_run_failure(conn: psycopg.Connection, run_id: str, job_name: str, message: str) -> None:
    row = {
        "alert_id": f"run_failure:{run_id}",
        "raised_at": datetime.now(timezone.utc),
        "kind": "run_failure",
        "severity": "ERROR",
        "subject": job_name,
        "message": message[:MAX_MESSAGE],
        "run_id": run_id,
    }
    upsert(conn, PLATFORM_ALERTS, [row])
