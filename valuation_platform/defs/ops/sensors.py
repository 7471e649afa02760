"""Operational sensors: a failed run raises an alert row (and a log line) that digests and BI pick up."""

from datetime import datetime, timezone

import dagster as dg

from valuation_platform.lib.resources import WarehouseResource
from valuation_platform.warehouse.tables.ops import PLATFORM_ALERTS
from valuation_platform.warehouse.upsert import upsert


def alert_row(run: dg.DagsterRun, message: str) -> dict:
    return {
        "alert_id": f"run_failure:{run.run_id}",
        "raised_at": datetime.now(timezone.utc),
        "kind": "run_failure",
        "severity": "ERROR",
        "subject": run.job_name,
        "message": message[:2000],
        "run_id": run.run_id,
    }


@dg.run_failure_sensor(
    name="run_failure_alert",
    description="Every failed run becomes a row in analytics.platform_alerts (idempotent per run).",
    default_status=dg.DefaultSensorStatus.RUNNING,
    monitor_all_code_locations=False,
)
def run_failure_alert(context: dg.RunFailureSensorContext, warehouse: WarehouseResource) -> None:
    message = context.failure_event.message or "run failed"
    context.log.error(f"run {context.dagster_run.run_id} of {context.dagster_run.job_name} failed: {message}")
    with warehouse.connect([PLATFORM_ALERTS]) as conn:
        upsert(conn, PLATFORM_ALERTS, [alert_row(context.dagster_run, message)])
