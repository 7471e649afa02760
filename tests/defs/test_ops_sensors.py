"""The run-failure sensor writes one alert per failed run into the warehouse."""

from __future__ import annotations

import dagster as dg

from valuation_platform.defs.ops.sensors import run_failure_alert
from valuation_platform.lib.resources import WarehouseResource
from valuation_platform.warehouse.connection import connect


@dg.op
def explode() -> None:
    raise RuntimeError("upstream source answered 503 five times")


@dg.job
def doomed() -> None:
    explode()


def test_failed_run_raises_an_alert(fresh_db) -> None:
    with dg.instance_for_test() as instance:
        result = doomed.execute_in_process(instance=instance, raise_on_error=False)
        assert not result.success
        failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE)
        warehouse = WarehouseResource(database_url=fresh_db.url)
        for _ in range(2):  # a re-delivered event must not duplicate the alert
            context = dg.build_run_status_sensor_context(
                sensor_name="run_failure_alert", dagster_instance=instance, dagster_run=result.dagster_run,
                dagster_event=failure, resources={"warehouse": warehouse},
            ).for_run_failure()
            run_failure_alert(context)
    with connect(fresh_db) as conn:
        rows = conn.execute("select kind, subject, run_id from analytics.platform_alerts").fetchall()
    assert rows == [("run_failure", "doomed", result.run_id)]
