"""The approval gate and the managers' edits, end to end against a loopback Google Sheets API (gspread 6
through the real client), the real Postgres, the real drivers build and the real dbt snapshot/changelog.

Scenario (one warehouse holding the real seeded hierarchy; tests/support/workbook.py):
1. three PENDING discovered drivers; the whole workbook is written, the first values:batchUpdate answering
   429 with Retry-After: 2;
2. a manager, in the sheet: lowers FINANCIALS_BANKS loan_growth's weight 0.14 -> 0.10, types weight 3.5 on
   gross_npa_ratio and direction SIDEWAYS on net_interest_margin; approves ev_adoption_rate (AUTO two/three
   wheelers), rejects wedding_season_demand with a note, approves conglomerate_capex (too heavy);
3. the edits are applied, the drivers rebuilt, the snapshot and changelog built, the workbook rewritten.

Oracles: the seed files read with the csv module (weights, the 23 MACRO drivers' source and scenarios), the
Sheets API's own request/response shapes recorded by gspread (../shared/fixtures/gsheets), and the
arithmetic written out by hand below.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from tests.support.dbt_build import dbt_build
from tests.support.fake_sheets import FakeSheets
from tests.support.workbook import clone, discovery, seed_subgroups, session_template
from valuation_platform.pipelines.india.drivers import rebuild_drivers
from valuation_platform.pipelines.india.reference import SEED_DIR
from valuation_platform.pipelines.workbook.backends import SheetsBackend
from valuation_platform.pipelines.workbook.edits import apply_workbook_edits
from valuation_platform.pipelines.workbook.publish import write_workbook
from valuation_platform.pipelines.workbook.tabs import DISCOVERED, MACRO, SUBGROUP, TABS
from valuation_platform.sources.gsheets.client import SheetsClient
from valuation_platform.warehouse.embedded import drop_database
from valuation_platform.warehouse.tables.intelligence import DISCOVERED_DRIVERS
from valuation_platform.warehouse.upsert import upsert

# module-scoped databases cloned from the session's workbook template: every test of the module on one xdist worker
pytestmark = pytest.mark.xdist_group("workbook_gate")

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # first drivers build
T1 = datetime(2026, 11, 20, 13, 0, tzinfo=UTC)  # workbook written
T2 = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)  # edits applied
T3 = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)  # drivers rebuilt
T4 = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)  # workbook rewritten
RECORDED = "gspread_WorksheetTest.test_batch_update.compact.json"
BANKS = "SUBGROUP|FINANCIALS|FINANCIALS_BANKS|"
EV = "SUBGROUP|AUTO|AUTO_TWO_THREE_WHEELERS|ev_adoption_rate"


def recorded(fixtures: Path, name: str, uri_part: str) -> dict:
    """The first recorded response body whose request URI contains ``uri_part``."""
    interactions = json.loads((fixtures / "gsheets" / name).read_text())["interactions"]
    return next(json.loads(i["response"]["body"]) for i in interactions if uri_part in i["request"]["uri"])


def query(db, text: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(db.url) as conn:
        return conn.execute(text, params).fetchall()


def find_row(values: list[list], key: str) -> int:
    return next(i for i, row in enumerate(values) if row and row[0] == key)


@pytest.fixture(scope="module")
def scenario(shared_fixtures, pg_admin, tmp_path_factory, session_base):
    work = tmp_path_factory.mktemp("workbook_gate")
    template = session_template(pg_admin, session_base, T0)
    db = clone(pg_admin, template.dbname, "vpt_workbook_gate")
    metadata = recorded(shared_fixtures, RECORDED, "includeGridData=false")
    waits: list[float] = []
    try:
        with FakeSheets(metadata) as sheets, psycopg.connect(db.url, autocommit=True) as conn:
            assert dbt_build(db, ["snp_india_drivers"], work / "dbt") == []
            upsert(conn, DISCOVERED_DRIVERS, [
                discovery("d-ev", "AUTO", "AUTO_TWO_THREE_WHEELERS", "ev_adoption_rate", 0.15, T0),
                discovery("d-wed", "CONSUMER_DISCRETIONARY", "CONSUMER_HOTELS_LEISURE", "wedding_season_demand",
                          0.05, T0),
                discovery("d-cap", "INDUSTRIALS", "INDUSTRIALS_CONGLOMERATES", "conglomerate_capex", 0.25, T0),
            ], source="test")
            backend = SheetsBackend(SheetsClient(sheets.key, endpoint=sheets.url, sleep=waits.append))
            sheets.fail_next(1, retry_after="2", kind="values:batchUpdate")
            first = write_workbook(conn, backend, now=T1)
            first_calls = list(sheets.calls)
            written = {t.name: sheets.values(t.name) for t in TABS}

            subgroup = sheets.values(SUBGROUP.name)
            header = subgroup[0]
            for driver, column, value in (("loan_growth", "weight", 0.1), ("gross_npa_ratio", "weight", 3.5),
                                          ("net_interest_margin", "direction", "SIDEWAYS")):
                sheets.type_cell(SUBGROUP.name, find_row(subgroup, BANKS + driver), header.index(column), value)
            queue = sheets.values(DISCOVERED.name)
            qh = queue[0]
            for key, decision, note in (("d-ev", "APPROVE", ""), ("d-wed", "REJECT", "seasonal; already a demand driver"),
                                        ("d-cap", "approve", "")):
                row = find_row(queue, key)
                sheets.type_cell(DISCOVERED.name, row, qh.index("decision"), decision)
                sheets.type_cell(DISCOVERED.name, row, qh.index("reviewer"), "pm.iyer")
                sheets.type_cell(DISCOVERED.name, row, qh.index("note"), note)
            calls_before_edits = len(sheets.calls)
            edits = apply_workbook_edits(conn, backend, now=T2)
            edit_calls = sheets.calls[calls_before_edits:]
            after_edits = {t.name: sheets.values(t.name) for t in (SUBGROUP, DISCOVERED)}
            rebuilt = rebuild_drivers(conn, now=T3, updated_by="macro_sync")
            assert dbt_build(db, ["snp_india_drivers", "stg_india__drivers", "fct_drivers", "int_india__driver_trend_legs",
                                  "fct_driver_trend_signals", "fct_driver_changelog"], work / "dbt") == []
            second = write_workbook(conn, backend, now=T4)
            rewritten = {t.name: sheets.values(t.name) for t in (SUBGROUP, DISCOVERED)}
            grids = {s.title: (s.rows, s.cols) for s in sheets.sheets}
            yield dict(db=db, first=first, first_calls=first_calls, written=written, waits=waits, edits=edits,
                       edit_calls=edit_calls, after_edits=after_edits, rebuilt=rebuilt, second=second,
                       rewritten=rewritten, grids=grids)
    finally:
        drop_database(pg_admin, db.dbname)


def test_fake_sheets_answers_like_the_recorded_api(shared_fixtures) -> None:
    """The fake's bodies carry the keys the real API's recorded bodies carry (what gspread reads)."""
    values_update = recorded(shared_fixtures, RECORDED, "values:batchUpdate")
    batch_get = recorded(shared_fixtures, "gspread_SpreadsheetTest.test_values_batch_get.compact.json",
                         "values:batchGet")
    add_sheet = recorded(shared_fixtures, "gspread_SpreadsheetTest.test_values_batch_get.compact.json", ":batchUpdate")
    metadata = recorded(shared_fixtures, RECORDED, "includeGridData=false")
    with FakeSheets(metadata) as sheets:
        status, added, _ = sheets.handle("POST", f"/v4/spreadsheets/{sheets.key}:batchUpdate", {"requests": [
            {"addSheet": {"properties": {"title": "T", "sheetType": "GRID",
                                         "gridProperties": {"rowCount": 10, "columnCount": 10}}}}]})
        _, updated, _ = sheets.handle("POST", f"/v4/spreadsheets/{sheets.key}/values:batchUpdate", {
            "valueInputOption": "RAW", "data": [{"range": "'T'!A1:D1", "values": [["A1", "B1", "", "D1"]]}]})
        _, got, _ = sheets.handle("GET", f"/v4/spreadsheets/{sheets.key}/values:batchGet?ranges=%27T%27", None)
        _, meta, _ = sheets.handle("GET", f"/v4/spreadsheets/{sheets.key}?includeGridData=false", None)
    assert status == 200
    assert set(updated) == set(values_update) and set(updated["responses"][0]) == set(values_update["responses"][0])
    assert set(added["replies"][0]["addSheet"]["properties"]) == set(add_sheet["replies"][0]["addSheet"]["properties"])
    assert set(got) == set(batch_get) and set(got["valueRanges"][0]) == set(batch_get["valueRanges"][0])
    assert set(meta) == set(metadata) and meta["properties"] == metadata["properties"]
    assert updated["responses"][0]["updatedRange"] == values_update["responses"][0]["updatedRange"].replace("Sheet1", "T")


def test_every_tab_is_written_with_one_values_batch_update(scenario) -> None:
    calls = scenario["first_calls"]
    writes = [tabs for method, kind, tabs in calls if kind == "values:batchUpdate"]
    assert len(writes) == len(TABS) == 9  # 8 tabs and the social posts queue: one call each
    assert all(len(tabs) == 1 for tabs in writes) and {t[0] for t in writes} == {t.name for t in TABS}
    shapes = [tabs for method, kind, tabs in calls if kind == "batchUpdate"]
    assert len(shapes) == 1 and set(shapes[0]) == {t.name for t in TABS}  # every tab added in one request
    assert scenario["first"]["values_batch_updates"] == 9


def test_a_429_is_retried_after_its_retry_after(scenario) -> None:
    kinds = [kind for _, kind, _ in scenario["first_calls"]]
    assert kinds.count("values:batchUpdate:429") == 1
    assert scenario["waits"] == [2.0]  # Retry-After: 2, honoured (not gspread's own 2**n backoff)
    assert scenario["first"]["retried_responses"] == 1


def test_macro_tab_holds_all_23_drivers_with_their_reference_columns(scenario) -> None:
    values = scenario["written"][MACRO.name]
    header = values[0]
    with (SEED_DIR / "india_macro_drivers.csv").open(newline="") as handle:
        seed = {r["driver_name"]: r for r in csv.DictReader(handle)}
    assert len(values) - 1 == len(seed) == 23
    for column in ("category", "unit", "source", "frequency", "impact", "bull_value", "base_value", "bear_value",
                   "weight", "Status"):
        assert column in header
    for row in values[1:]:
        cells = dict(zip(header, row, strict=False))
        expected = seed[cells["driver_name"]]
        assert (cells["source"], cells["frequency"], cells["category"]) == (
            expected["source"], expected["update_frequency"], expected["category"])
        assert cells["bull_value"] == float(expected["bull_value"]) and cells["bear_value"] == float(expected["bear_value"])
        assert cells["weight"] == float(expected["weight"])


def test_cell_budget_is_what_the_spreadsheet_holds(scenario) -> None:
    """The budget counts every tab's grid, the spreadsheet's own Sheet1 (1000 x 26 = 26,000) included."""
    grids = scenario["grids"]
    assert grids["Sheet1"] == (1000, 26)
    assert scenario["second"]["cells_used"] == sum(r * c for r, c in grids.values())
    assert scenario["second"]["cells_limit"] == 10_000_000 and scenario["second"]["within_budget"] is True


def test_a_weight_edit_is_applied_as_pm_edit(scenario) -> None:
    db = scenario["db"]
    # FINANCIALS_BANKS: 10 drivers summing to 0.95 in the seed; 0.95 - 0.14 + 0.10 = 0.91, inside 0.80..1.00
    total, count = seed_subgroups()["FINANCIALS_BANKS"]
    assert (round(total, 6), count) == (0.95, 10)
    (row,) = query(db, "select field, value_number, trigger, status, source_ref, requested_at "
                       "from analytics.india_driver_adjustments where driver_key = %s", (BANKS + "loan_growth",))
    values = scenario["written"][SUBGROUP.name]
    line = find_row(values, BANKS + "loan_growth") + 1
    assert row == ("weight", 0.1, "PM_EDIT", "APPLIED", f"'{SUBGROUP.name}'!F{line}", T2)
    # A driver_key, B valuation_group, C valuation_subgroup, D driver_category, E driver_name, F weight
    assert values[0][5] == "weight"
    (driver,) = query(db, "select weight, updated_by, updated_at from analytics.india_drivers where driver_key = %s",
                      (BANKS + "loan_growth",))
    assert driver == (0.1, "pm_edit", T3)
    status = scenario["after_edits"][SUBGROUP.name][line - 1][-1]
    assert status == "applied 2026-11-20 14:00 UTC"


def test_invalid_edits_are_rejected_with_the_reason_and_change_nothing(scenario) -> None:
    db = scenario["db"]
    rejected = dict(query(db, "select driver_key || ':' || field, rejection_reason from "
                              "analytics.india_driver_adjustments where status = 'REJECTED'"))
    assert rejected == {
        BANKS + "gross_npa_ratio:weight": "weight 3.5 is outside 0..1",
        BANKS + "net_interest_margin:direction": "direction 'SIDEWAYS' is not one of UP, DOWN, STABLE",
    }
    values = scenario["after_edits"][SUBGROUP.name]
    header = values[0]
    npa = values[find_row(values, BANKS + "gross_npa_ratio")]
    nim = values[find_row(values, BANKS + "net_interest_margin")]
    # the cells are back to what was written before the edit; the seed's weight is 0.12
    before = scenario["written"][SUBGROUP.name]
    nim_before = before[find_row(before, BANKS + "net_interest_margin")][header.index("direction")]
    assert npa[header.index("weight")] == 0.12 and npa[-1] == "rejected: weight 3.5 is outside 0..1"
    assert nim[header.index("direction")] == nim_before == "DOWN" and nim[-1] == (
        "rejected: direction 'SIDEWAYS' is not one of UP, DOWN, STABLE")
    drivers = dict(query(db, "select driver_name, (weight, direction, updated_by)::text from analytics.india_drivers "
                             "where driver_key in (%s, %s)", (BANKS + "gross_npa_ratio", BANKS + "net_interest_margin")))
    # the seed's own values and curator, untouched: NIM 4.25 -> 4.05 (-0.20) and NPA 4.0 -> 3.1 (-0.90) move
    # beyond the STABLE band max(0.05, 0.5% x previous) = 0.05, so both are DOWN
    assert drivers == {"gross_npa_ratio": "(0.12,DOWN,pm_edit)", "net_interest_margin": "(0.12,DOWN,pm_edit)"}
    # the write-back is one values:batchUpdate per edited tab (Subgroup drivers, Discovered drivers)
    writes = [tabs for _, kind, tabs in scenario["edit_calls"] if kind == "values:batchUpdate"]
    assert sorted(writes) == sorted([(SUBGROUP.name,), (DISCOVERED.name,)])


def test_an_approved_driver_enters_the_hierarchy(scenario) -> None:
    db = scenario["db"]
    # AUTO_TWO_THREE_WHEELERS: 8 drivers, 0.80 in the seed; + 0.15 = 0.95 (<= 1.00) and 9 drivers (<= 10)
    assert tuple(round(x, 6) for x in seed_subgroups()["AUTO_TWO_THREE_WHEELERS"]) == (0.8, 8)
    (found,) = query(db, "select status, reviewer, reviewed_at, applied_at from analytics.discovered_drivers "
                         "where discovery_id = 'd-ev'")
    assert found == ("APPROVED", "pm.iyer", T2, T3)
    (driver,) = query(db, "select driver_level, driver_category, weight, updated_by, updated_at "
                          "from analytics.india_drivers where driver_key = %s", (EV,))
    assert driver == ("SUBGROUP", "DEMAND", 0.15, "agent_discovery", T3)
    (total,) = query(db, "select round(sum(weight)::numeric, 6), count(*) from analytics.india_drivers "
                         "where valuation_subgroup = 'AUTO_TWO_THREE_WHEELERS' and weight is not null")
    assert (float(total[0]), total[1]) == (0.95, 9)
    assert scenario["rebuilt"]["discovered_drivers_first_applied"] == 1
    # no weight rule broken; the series drivers read series this warehouse never loaded (raw tables empty)
    assert set(scenario["rebuilt"]["violations"]) == {"unknown_series"}


def test_a_rejection_is_kept_with_reviewer_time_and_note(scenario) -> None:
    db = scenario["db"]
    (found,) = query(db, "select status, reviewer, reviewed_at, review_note, applied_at from "
                         "analytics.discovered_drivers where discovery_id = 'd-wed'")
    assert found == ("REJECTED", "pm.iyer", T2, "seasonal; already a demand driver", None)
    assert query(db, "select 1 from analytics.india_drivers where driver_name = 'wedding_season_demand'") == []


def test_an_approval_past_the_weight_bound_is_refused_and_stays_pending(scenario) -> None:
    db = scenario["db"]
    # INDUSTRIALS_CONGLOMERATES: 0.82 in the seed; 0.82 + 0.25 = 1.07 > 1.00
    assert round(seed_subgroups()["INDUSTRIALS_CONGLOMERATES"][0], 6) == 0.82
    (found,) = query(db, "select status, reviewer from analytics.discovered_drivers where discovery_id = 'd-cap'")
    assert found == ("PENDING", None)
    queue = scenario["after_edits"][DISCOVERED.name]
    assert queue[find_row(queue, "d-cap")][-1] == (
        "rejected: decision approval refused: SUBGROUP INDUSTRIALS_CONGLOMERATES weights would sum to 1.0700 "
        "(now 0.8200 + 0.2500), above the validator's 1.00")


def test_the_changelog_names_each_trigger(scenario) -> None:
    rows = query(scenario["db"], "select driver_key, change_type, changed_fields, old_weight, new_weight, triggered_by "
                                 "from marts.fct_driver_changelog where changed_at > %s order by driver_key", (T0,))
    assert rows == [
        (EV, "created", "", None, 0.15, "agent_discovery"),
        (BANKS + "loan_growth", "updated", "weight", 0.14, 0.1, "pm_edit"),
    ]


def test_the_rewrite_keeps_the_status_and_shows_the_decisions(scenario) -> None:
    subgroup = scenario["rewritten"][SUBGROUP.name]
    header = subgroup[0]
    loan = subgroup[find_row(subgroup, BANKS + "loan_growth")]
    assert loan[header.index("weight")] == 0.1 and loan[-1] == "applied 2026-11-20 14:00 UTC"
    assert subgroup[find_row(subgroup, EV)][header.index("updated_by")] == "agent_discovery"
    queue = scenario["rewritten"][DISCOVERED.name]
    qh = queue[0]
    states = {row[0]: (row[qh.index("state")], row[qh.index("decision")]) for row in queue[1:]}
    assert states == {"d-ev": ("APPROVED", "APPROVE"), "d-wed": ("REJECTED", "REJECT"), "d-cap": ("PENDING", "")}
    assert scenario["second"]["rows_per_tab"][DISCOVERED.name] == 3


def test_sheets_errors_name_the_spreadsheet_and_the_call(shared_fixtures) -> None:
    from valuation_platform.sources.errors import SourceError

    metadata = recorded(shared_fixtures, RECORDED, "includeGridData=false")
    not_found = recorded(shared_fixtures, "gspread_ClientTest.test_access_non_existing_spreadsheet.compact.json",
                         "spreadsheets/test?")
    with FakeSheets(metadata) as sheets:
        with pytest.raises(SourceError) as missing:
            SheetsClient("no-such-key", endpoint=sheets.url)
        client = SheetsClient(sheets.key, endpoint=sheets.url, max_retries=2, sleep=lambda _: None)
        sheets.fail_next(3, retry_after="1")  # one try and two retries, all refused
        with pytest.raises(SourceError) as exhausted:
            client.write_ranges("Sheet1", {"A1": [["x"]]})
    # the fake answers a missing spreadsheet with the body the real API answered (recorded)
    with FakeSheets(metadata) as sheets:
        assert sheets.handle("GET", "/v4/spreadsheets/test?includeGridData=false", None)[:2] == (404, not_found)
    assert str(missing.value) == ("gsheets document no-such-key spreadsheet no-such-key: HTTP 404: the spreadsheet "
                                  "does not exist or is not shared with the service account")
    assert str(exhausted.value).startswith(f"gsheets document {sheets.key} 'Sheet1' values:batchUpdate: HTTP 429: "
                                           "Quota exceeded")
