"""Operational sensors: a failed run raises an alert row (and a log line) that digests and BI pick up."""

import dagster as dg

from valuation_platform.lib.policies import sensor_status
from valuation_platform.lib.resources import WarehouseResource
from valuation_platform.pipelines.ops.alerts import raise_run_failure
from valuation_platform.warehouse.tables.ops import PLATFORM_ALERTS


@dg.run_failure_sensor(
    name="run_failure_alert",
    description="Every failed run becomes a row in analytics.platform_alerts (idempotent per run).",
    default_status=sensor_status(),
    monitor_all_code_locations=False,
)
def run_failure_alert(context: dg.RunFailureSensorContext, warehouse: WarehouseResource) -> None:
    message = context.failure_event.message or "run failed"
    context.log.error(f"run {context.dagster_run.run_id} of {context.dagster_run.job_name} failed: {message}")
    with warehouse.connect([PLATFORM_ALERTS]) as conn:
        raise_run_failure(conn, context.dagster_run.run_id, context.dagster_run.job_name, message)
