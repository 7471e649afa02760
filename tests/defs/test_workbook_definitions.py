"""The workbook domain's Dagster definitions on a warehouse holding the real seeded hierarchy
(tests/support/workbook.py): a decision launched with run config (the UI / `vp approve` path) runs through
the approval gate into the drivers build in one real materialization; a refused one fails the run with its
reason; the edit sensor requests one run per set of pending edits; schedules and sensors start stopped."""

from __future__ import annotations

from datetime import UTC, datetime

import dagster as dg
import psycopg
import pytest
from openpyxl import load_workbook

from tests.support.pipeline import env
from tests.support.workbook import clone, discovery, session_template
from valuation_platform.pipelines.india.drivers import check_stored
from valuation_platform.pipelines.workbook.backends import XlsxBackend
from valuation_platform.pipelines.workbook.edits import edits_fingerprint, find_edits
from valuation_platform.pipelines.workbook.tabs import DISCOVERED, MACRO
from valuation_platform.warehouse.embedded import drop_database
from valuation_platform.warehouse.tables.intelligence import DISCOVERED_DRIVERS
from valuation_platform.warehouse.upsert import upsert

# module-scoped databases cloned from the session's workbook template: every test of the module on one xdist worker
pytestmark = pytest.mark.xdist_group("workbook_defs")

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
EV = "SUBGROUP|AUTO|AUTO_TWO_THREE_WHEELERS|ev_adoption_rate"


@pytest.fixture(scope="module")
def setup(pg_admin, tmp_path_factory, session_base):
    work = tmp_path_factory.mktemp("wb_defs")
    template = session_template(pg_admin, session_base, T0)
    db = clone(pg_admin, template.dbname, "vpt_workbook_defs")
    with psycopg.connect(db.url, autocommit=True) as conn:
        upsert(conn, DISCOVERED_DRIVERS, [
            discovery("d-ev", "AUTO", "AUTO_TWO_THREE_WHEELERS", "ev_adoption_rate", 0.15, T0),
            discovery("d-cap", "INDUSTRIALS", "INDUSTRIALS_CONGLOMERATES", "conglomerate_capex", 0.25, T0),
        ], source="test")
    values = {"VP_DATABASE_URL": db.url, "VP_WORKBOOK_PATH": str(work / "workbook.xlsx"),
              "VP_DIGEST_DIR": str(work / "digests"), "VP_GSHEETS_SPREADSHEET_KEY": None, "VP_SMTP_HOST": None}
    with env(values):
        from valuation_platform.definitions import build_defs

        defs = build_defs()
        with dg.instance_for_test() as instance:
            yield {"db": db, "defs": defs, "instance": instance, "values": values, "path": work / "workbook.xlsx"}
    drop_database(pg_admin, db.dbname)


def materialize(setup, selection: list[str], config: dict | None = None) -> dg.ExecuteInProcessResult:
    defs = setup["defs"]
    with env(setup["values"]):
        # without the asset checks: this warehouse never loaded macro series, so the blocking
        # driver_series_exist check would fail (the weight checks are asserted directly below)
        return dg.materialize(list(defs.assets or []), selection=selection, instance=setup["instance"],
                              resources=dict(defs.resources or {}), raise_on_error=False,
                              run_config={"ops": {"workbook_edits": {"config": config}}} if config else None)


def test_a_decision_by_run_config_enters_the_drivers_in_one_run(setup) -> None:
    result = materialize(setup, ["workbook_edits", "india_drivers"],
                         {"discovery_id": "d-ev", "decision": "APPROVE", "reviewer": "pm.rao", "note": "EV share rising"})
    assert result.success
    with psycopg.connect(setup["db"].url) as conn:
        status = conn.execute("select status, reviewer, review_note, applied_at is not null from "
                              "analytics.discovered_drivers where discovery_id = 'd-ev'").fetchone()
        row = conn.execute("select weight, updated_by from analytics.india_drivers where driver_key = %s",
                           (EV,)).fetchone()
    assert status == ("APPROVED", "pm.rao", "EV share rising", True)
    assert row == (0.15, "agent_discovery")
    with psycopg.connect(setup["db"].url) as conn:
        checks = check_stored(conn)
    assert checks["driver_weights_within_bounds"][0] is True  # AUTO_TWO_THREE_WHEELERS: 0.80 + 0.15 = 0.95
    metadata = result.asset_materializations_for_node("india_drivers")[0].metadata
    assert metadata["discovered_drivers_first_applied"].value == 1


def test_a_refused_decision_fails_the_run_with_its_reason(setup) -> None:
    result = materialize(setup, ["workbook_edits"],
                         {"discovery_id": "d-cap", "decision": "APPROVE", "reviewer": "pm.rao"})
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    # INDUSTRIALS_CONGLOMERATES: 0.82 in the seed + 0.25 = 1.07
    assert "approval refused: SUBGROUP INDUSTRIALS_CONGLOMERATES weights would sum to 1.0700" in str(
        failure.event_specific_data.error)


def test_workbook_asset_and_edit_sensor(setup) -> None:
    defs = setup["defs"]
    sensor = defs.resolve_sensor_def("workbook_edit_sensor")
    resources = {k: v for k, v in (defs.resources or {}).items() if k in ("workbook", "warehouse")}
    with env(setup["values"]):
        context = dg.build_sensor_context(instance=setup["instance"], resources=resources)
        assert isinstance(sensor(context), dg.SkipReason)  # no workbook yet: nothing edited
        result = materialize(setup, ["workbook_social_posts", "managers_workbook", "valuation_digest"])
        assert result.success
        metadata = result.asset_materializations_for_node("managers_workbook")[0].metadata
        assert metadata["values_batch_updates"].value == 9 and metadata["within_budget"].value is True
        digest = result.asset_materializations_for_node("valuation_digest")[0].metadata
        assert digest["delivery"].value == "file" and digest["drivers_waiting_for_approval"].value == 1
        book = load_workbook(setup["path"])
        queue = book[DISCOVERED.name]
        assert [c.value for c in queue["A"]][1:] == ["d-cap", "d-ev"]  # PENDING first, then decided
        macro = book[MACRO.name]
        header = [c.value for c in macro[1]]
        macro.cell(2, header.index("direction") + 1).value = "UP"
        book.save(setup["path"])
        request = sensor(dg.build_sensor_context(instance=setup["instance"], resources=resources))
        with psycopg.connect(setup["db"].url) as conn:
            expected = edits_fingerprint(find_edits(conn, XlsxBackend(setup["path"]))[0])
    assert isinstance(request, dg.RunRequest) and request.run_key == expected
    assert request.tags["vp/workbook_edits"] == "1"


def test_automation_starts_stopped_locally(setup) -> None:
    defs = setup["defs"]
    assert defs.resolve_sensor_def("workbook_edit_sensor").default_status == dg.DefaultSensorStatus.STOPPED
    assert defs.resolve_sensor_def("workbook_edit_sensor").minimum_interval_seconds == 300
    assert defs.resolve_schedule_def("workbook_daily").default_status == dg.DefaultScheduleStatus.STOPPED


def test_vp_approve_lists_the_queue(setup, capsys) -> None:
    from valuation_platform.cli import main

    with env(setup["values"]):
        assert main(["approve", "--list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "1 discovered driver(s) waiting for a decision"  # d-ev was approved above
    assert out[1].split()[:4] == ["d-cap", "SUBGROUP", "INDUSTRIALS_CONGLOMERATES", "conglomerate_capex"]
    assert "no values (moves nothing)" in out[1]  # suggested without previous and current value
