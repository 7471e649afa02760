"""The weekly SEC chain: the universe, every company's companyfacts, then the statements marts."""

from __future__ import annotations

import dagster as dg


def test_the_sec_statements_marts_rebuild_after_each_companyfacts_run_only():
    """The weekly chain's last link: the dbt models fed by companyfacts, in their own job, started once per
    successful companyfacts run (never by the evening jobs: nothing else selects them)."""
    from valuation_platform.definitions import build_defs
    from valuation_platform.defs.sec.automation import sec_companyfacts_loaded, sec_marts_job

    defs = build_defs()
    graph = defs.resolve_asset_graph()
    marts = {key.to_user_string() for key in sec_marts_job.selection.resolve(graph)}
    assert marts == {"staging/stg_sec__facts", "intermediate/int_sec__facts_classified",
                     "intermediate/int_sec__fiscal_periods", "intermediate/int_sec__period_values",
                     "marts/fct_financial_statements", "marts/fct_financial_ratios"}
    assert defs.resolve_job_def("sec_marts_job").partitions_def is None  # one run over every company's facts
    assert sec_companyfacts_loaded.job_name == "sec_marts_job"
    # a run that succeeded, as the daemon hands it to the sensor: one marts run, keyed by that run
    with dg.instance_for_test() as instance:
        done = dg.materialize([dg.asset(name="companyfacts_stand_in")(lambda: None)], instance=instance)
        run = instance.get_run_by_id(done.run_id)
        success = next(e for e in done.all_events if e.event_type == dg.DagsterEventType.RUN_SUCCESS)
        context = dg.build_run_status_sensor_context(sensor_name=sec_companyfacts_loaded.name, dagster_event=success,
                                                     dagster_instance=instance, dagster_run=run)
        request = sec_companyfacts_loaded(context)
    assert request.run_key == f"companyfacts-{done.run_id}"
    others = [job for job in defs.jobs or [] if getattr(job, "name", "") != "sec_marts_job"]
    for job in others:  # no other scheduled job rebuilds them
        selection = getattr(job, "selection", None)
        if selection is not None:
            assert not {k.to_user_string() for k in selection.resolve(graph)} & marts, job.name
