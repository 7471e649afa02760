"""The whole intelligence loop, from a release to a valuation, in both configurations a user runs:

* ``llm_sheets``: the LLM (the real openai client against tests/support/fake_openai.py on loopback, replaying
  the recorded response envelope) and the Google Sheets workbook (gspread against tests/support/fake_sheets.py);
* ``rules_xlsx``: the Quickstart's configuration, the rule-based analyzer and the local .xlsx (edited with
  openpyxl, as Excel would save it).

A PIB release (the sample feed's text) says fiscal support for semiconductor fabs rises from 50 to 70 per cent;
the analyzer suggests a TECHNOLOGY group driver with those values -> PENDING in the queue -> tab 7 of the
workbook shows it -> a manager types APPROVE -> the edits step records the decision through the gate -> the
drivers build takes the driver in (agent_discovery) -> the next valuation moves the TECHNOLOGY company and the
attribution by driver names the new driver with the whole change; the bank, outside the scope, does not move.
With the LLM, an answer whose suggestion has a current value but no previous one fails validation: quarantined,
nothing of it queued.

Real parts: the seeded driver hierarchy built by dbt (tests/support/workbook.py), the real screener exports of
TCS and HDFC Bank, the valuation step, dbt for the queue's mart. Oracle: the arithmetic written out below.
"""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg
import pytest
from openpyxl import load_workbook

from tests.pipelines.test_valuation_day import bhav, rows, universe_row
from tests.pipelines.test_workbook_gate import RECORDED, recorded
from tests.support.dbt_build import dbt_build
from tests.support.fake_openai import FakeOpenAI
from tests.support.fake_sheets import FakeSheets
from tests.support.news_events import write_events
from tests.support.workbook import clone, session_template
from valuation_platform.analytics.intelligence.bounds import Bounds
from valuation_platform.generator.intelligence import PIB
from valuation_platform.pipelines.india.drivers import rebuild_drivers
from valuation_platform.pipelines.intelligence.analysis import run_analysis
from valuation_platform.pipelines.valuation.inputs import load_bhavcopy, load_statements
from valuation_platform.pipelines.valuation.valuations import value_days
from valuation_platform.pipelines.workbook.backends import SheetsBackend, XlsxBackend
from valuation_platform.pipelines.workbook.edits import apply_workbook_edits
from valuation_platform.pipelines.workbook.publish import write_workbook
from valuation_platform.pipelines.workbook.tabs import DISCOVERED
from valuation_platform.sources.gsheets.client import SheetsClient
from valuation_platform.sources.llm.client import StructuredChat
from valuation_platform.warehouse.bootstrap import ensure_tables
from valuation_platform.warehouse.embedded import drop_database
from valuation_platform.warehouse.tables.india import INDIA_UNIVERSE
from valuation_platform.warehouse.tables.intelligence import ANALYSIS_TABLES
from valuation_platform.warehouse.tables.valuation import ANALYTICS_TABLES, RAW_TABLES
from valuation_platform.warehouse.upsert import upsert

# module-scoped databases cloned from the session's workbook template: every test of the module on one xdist worker
pytestmark = pytest.mark.xdist_group("intelligence_loop")

T0 = datetime(2024, 7, 8, 12, 0, tzinfo=UTC)  # the hierarchy built
T1 = datetime(2024, 7, 8, 14, 0, tzinfo=UTC)  # the release analysed
T2 = datetime(2024, 7, 8, 15, 0, tzinfo=UTC)  # the workbook written
T3 = datetime(2024, 7, 8, 17, 30, tzinfo=UTC)  # the manager's approval read back
T4 = datetime(2024, 7, 9, 2, 0, tzinfo=UTC)  # the drivers rebuilt before the next valuation
DAY1, DAY2 = date(2024, 7, 8), date(2024, 7, 9)
MODEL = "gpt-4o-2024-08-06"  # the recorded envelope's model
KEY = "GROUP|TECHNOLOGY|semiconductor_incentives"
COMPANIES = {"TCS": ("TECHNOLOGY", "TECHNOLOGY_IT_SERVICES", "screener_TCS.xlsx"),
             "HDFCBANK": ("FINANCIALS", "FINANCIALS_BANKS", "screener_HDFC_Bank.xlsx")}
SEMIS = next(item for item in PIB if "Semiconductor" in item.title)
BAD = "Electronics makers seek higher PLI outlay"
SUGGESTION = {"level": "GROUP", "valuation_group": "TECHNOLOGY", "valuation_subgroup": None, "company": None,
              "category": "DEMAND", "name": "semiconductor_incentives", "suggested_weight": 0.05,
              "reasoning": "Fab incentives set the electronics capex pipeline", "confidence": 0.8, "unit": "percent",
              "current_value": 70.0, "previous_value": 50.0, "sensitivity": 1}


def _answer(suggestion: dict) -> dict:
    return {"summary": "Fiscal support for fabs rises to 70 per cent.", "key_points": ["50 -> 70 per cent"],
            "risks": [], "driver_impacts": [], "suggested_drivers": [suggestion], "policy": None}


# the second suggestion has a current value without the previous one: the schema refuses it
ANSWERS = {SEMIS.title: _answer(SUGGESTION),
           BAD: _answer({**SUGGESTION, "name": "pli_outlay", "previous_value": None})}


@pytest.fixture(scope="module")
def template(pg_admin, session_base):
    return session_template(pg_admin, session_base, T0)


def _warehouse(conn: psycopg.Connection, shared_fixtures: Path, work: Path) -> None:
    """The two companies' real statements and one session's prices (so only drivers can move a value)."""
    (work / "statements").mkdir()
    (work / "bhavcopy").mkdir()
    for symbol, (_, _, file) in COMPANIES.items():
        shutil.copy(shared_fixtures / "screener" / file, work / "statements" / f"{symbol}.xlsx")
    (work / "bhavcopy" / "BhavCopy_NSE_CM_0_0_0_20240708_F_0000.csv").write_text(
        bhav("2024-07-08", {"TCS": 4200.0, "HDFCBANK": 1700.0}))
    ensure_tables(conn, [*RAW_TABLES, *ANALYTICS_TABLES, *ANALYSIS_TABLES])
    load_statements(conn, work, fetched_at=T0)
    load_bhavcopy(conn, work, fetched_at=T0)
    upsert(conn, INDIA_UNIVERSE, [universe_row(s, g, sg) for s, (g, sg, _) in COMPANIES.items()])


class _Manager:
    """Reads tab 7 and types a decision, in the Google Sheet (fake API) or in the .xlsx (openpyxl)."""

    def __init__(self, sheets: FakeSheets | None, path: Path | None) -> None:
        self.sheets, self.path = sheets, path

    def queue(self) -> list[list]:
        if self.sheets is not None:
            return self.sheets.values(DISCOVERED.name)
        sheet = load_workbook(self.path)[DISCOVERED.name]
        return [list(r) for r in sheet.iter_rows(values_only=True)]

    def approve(self, discovery_id: str, reviewer: str) -> None:
        queue = self.queue()
        header, row = queue[0], next(i for i, r in enumerate(queue) if r and r[0] == discovery_id)
        cells = {"decision": "APPROVE", "reviewer": reviewer}
        if self.sheets is not None:
            for column, value in cells.items():
                self.sheets.type_cell(DISCOVERED.name, row, header.index(column), value)
            return
        book = load_workbook(self.path)
        for column, value in cells.items():
            book[DISCOVERED.name].cell(row=row + 1, column=header.index(column) + 1, value=value)
        book.save(self.path)


@pytest.mark.parametrize("setup", ["llm_sheets", "rules_xlsx"])
def test_a_release_becomes_an_approved_driver_that_moves_the_valuation(
        setup, template, pg_admin, shared_fixtures, tmp_path) -> None:
    db = clone(pg_admin, template.dbname, f"vpt_loop_{setup}")
    llm = setup == "llm_sheets"
    events = [("ev_semis", "PIB", SEMIS.title, SEMIS.description, ["TECHNOLOGY"])]
    if llm:
        events.append(("ev_bad", "NEWS", BAD, "Industry body letter", ["TECHNOLOGY"]))
    metadata = recorded(shared_fixtures, RECORDED, "includeGridData=false")  # a real spreadsheet's, as gspread saw it
    try:
        with FakeOpenAI(shared_fixtures, ANSWERS, {}) as openai, FakeSheets(metadata) as sheets, \
                psycopg.connect(db.url, autocommit=True) as conn:
            _warehouse(conn, shared_fixtures, tmp_path)
            value_days(conn, [DAY1])
            write_events(conn, events, published=T1.replace(hour=6), seen=T1)
            chat = StructuredChat(api_key="sk-test", model=MODEL, base_url=openai.base_url, sleep=lambda _: None) \
                if llm else None
            analysis = run_analysis(conn, chat, Bounds(), asset_key="event_analyses", now=T1)
            assert analysis["analyzer"] == (MODEL if llm else "rule_based")
            queued = rows(conn, "select discovery_id, driver_name, status, unit, previous_value, current_value, "
                                "sensitivity, source_event_id from analytics.discovered_drivers")
            # both analyzers read the same figures off the release: 50 -> 70 per cent, a rise that helps
            assert [{k: v for k, v in q.items() if k != "discovery_id"} for q in queued] == [
                {"driver_name": "semiconductor_incentives", "status": "PENDING", "unit": "percent",
                 "previous_value": 50.0, "current_value": 70.0, "sensitivity": 1, "source_event_id": "ev_semis"}]
            if llm:  # the invalid answer: quarantined with the reason, nothing of it queued or applied
                [(reason,)] = conn.execute("select reason from raw.quarantine where document = 'event:ev_bad'"
                                           ).fetchall()
                assert "current_value and previous_value come together" in reason
            discovery_id = queued[0]["discovery_id"]

            backend = SheetsBackend(SheetsClient(sheets.key, endpoint=sheets.url, sleep=lambda _: None)) if llm \
                else XlsxBackend(tmp_path / "workbook.xlsx")
            manager = _Manager(sheets if llm else None, None if llm else tmp_path / "workbook.xlsx")
            write_workbook(conn, backend, now=T2)
            queue = manager.queue()
            shown = dict(zip(queue[0], next(r for r in queue if r[0] == discovery_id)))
            assert (shown["state"], shown["unit"], float(shown["previous_value"]), float(shown["current_value"])) \
                == ("PENDING", "percent", 50.0, 70.0)
            manager.approve(discovery_id, "pm.rao")
            edits = apply_workbook_edits(conn, backend, now=T3)
            assert (edits["decisions"], edits["rejected"]) == (1, 0)

            rebuild_drivers(conn, now=T4, updated_by="macro_sync")
            [driver] = rows(conn, "select * from analytics.india_drivers where driver_key = %s", KEY)
            assert (driver["weight"], driver["previous_value"], driver["current_value"], driver["sensitivity"],
                    driver["updated_by"]) == (0.05, 50.0, 70.0, 1, "agent_discovery")
            value_days(conn, [DAY2])
            values = {(r["nse_symbol"], r["valuation_date"]): r
                      for r in rows(conn, "select * from analytics.valuations where scenario = 'base'")}
            by_driver = rows(conn, "select * from analytics.valuation_attribution where basis = 'DRIVER' "
                                   "and measure = 'intrinsic_value_per_share' and valuation_date = %s", DAY2)
            assert dbt_build(db, ["stg_intelligence__event_analyses", "fct_event_analyses",
                                  "stg_intelligence__discovered_drivers", "fct_discovered_drivers"],
                             tmp_path / "dbt") == []
            [mart] = rows(conn, "select * from marts.fct_discovered_drivers")
    finally:
        drop_database(pg_admin, db.dbname)

    # By hand: percent driver, move (70 - 50) / 10 = 2.0, clipped to 0.5. TCS has no company drivers here, so the
    # group's share is 0.4; DEMAND moves an FCFF company's growth with elasticity 0.10:
    #   0.4 x 0.05 x (+1) x 0.5 x 0.10 = 0.001
    tcs1, tcs2 = values[("TCS", DAY1)], values[("TCS", DAY2)]
    assert tcs2["growth_start"] - tcs1["growth_start"] == pytest.approx(0.001, abs=1e-15)
    assert tcs2["intrinsic_value_per_share"] > tcs1["intrinsic_value_per_share"]
    bank1, bank2 = values[("HDFCBANK", DAY1)], values[("HDFCBANK", DAY2)]
    assert bank2["intrinsic_value_per_share"] == bank1["intrinsic_value_per_share"]  # outside the scope
    mine = {r["factor"]: r["contribution"] for r in by_driver if r["nse_symbol"] == "TCS"}
    assert set(mine) == {KEY, "interaction"}
    change = tcs2["intrinsic_value_per_share"] - tcs1["intrinsic_value_per_share"]
    assert mine[KEY] == pytest.approx(change, rel=1e-12)
    # the queue's mart: decided by the manager 3.5 hours after the analysis, in the hierarchy, moving values
    assert (mart["driver_key"], mart["status"], mart["reviewer"], mart["hours_to_decision"], mart["in_hierarchy"],
            mart["moves_valuations"], mart["source_title"]) == (KEY, "APPROVED", "pm.rao", 3.5, True, True, SEMIS.title)
