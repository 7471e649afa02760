"""When the workbook moves. Locally every schedule and sensor starts stopped (lib.policies).

* ``workbook_edit_sensor`` every 5 minutes: reads the editable cells (one values:batchGet, or the local
  .xlsx) and, when any differs from what the platform wrote, launches ``workbook_edits_job``: the edits are
  validated and recorded, the drivers rebuilt (snapshot, changelog) and the workbook rewritten. The run key
  is the pending edits' fingerprint: the same edits never launch two runs.
* ``workbook_daily`` at 21:00 Asia/Kolkata on weekdays, after the 20:00 valuation: social posts, the whole
  workbook, the digest.
"""

import dagster as dg

from valuation_platform.defs.dbt.assets import marts
from valuation_platform.defs.workbook.assets import (
    managers_workbook, valuation_digest, workbook_edits, workbook_social_posts,
)
from valuation_platform.defs.workbook.resources import WorkbookResource
from valuation_platform.lib.policies import schedule_status, sensor_status
from valuation_platform.lib.resources import WarehouseResource
from valuation_platform.pipelines.workbook.edits import edits_fingerprint, find_edits
from valuation_platform.warehouse.tables.workbook import WORKBOOK_TABLES

workbook_edits_job = dg.define_asset_job(
    "workbook_edits_job",
    selection=dg.AssetSelection.assets(workbook_edits, managers_workbook)
    | (dg.AssetSelection.assets(workbook_edits).downstream() & dg.AssetSelection.groups("india"))
    | marts("fct_discovered_drivers"),
    description="Apply the managers' edits (or one decision passed as run config), rebuild the drivers, their "
    "snapshot and changelog, the discovered-drivers mart, and rewrite the workbook.",
)
workbook_daily_job = dg.define_asset_job(
    "workbook_daily_job",
    selection=dg.AssetSelection.assets(workbook_social_posts, managers_workbook, valuation_digest),
    description="Draft the social posts, rewrite the workbook, send the digest.",
)


@dg.sensor(job=workbook_edits_job, minimum_interval_seconds=300, default_status=sensor_status(),
           description="Polls the managers' workbook for edited cells every 5 minutes.")
def workbook_edit_sensor(workbook: WorkbookResource, warehouse: WarehouseResource):
    with warehouse.connect(WORKBOOK_TABLES) as conn:
        edits, _ = find_edits(conn, workbook.backend())
    if not edits:
        return dg.SkipReason("no edited cells")
    count = sum(len(e) for e in edits.values())
    return dg.RunRequest(run_key=edits_fingerprint(edits), tags={"vp/workbook_edits": str(count)})


@dg.schedule(job=workbook_daily_job, cron_schedule="0 21 * * 1-5", execution_timezone="Asia/Kolkata",
             description="Social posts, the workbook and the digest at 21:00 IST, after the daily valuation.",
             default_status=schedule_status())
def workbook_daily(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    return dg.RunRequest(run_key=f"workbook-{context.scheduled_execution_time:%Y-%m-%d}")
