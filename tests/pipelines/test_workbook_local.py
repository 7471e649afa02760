"""The local workbook (.xlsx, no Google credentials): the same tabs, the same edit flow and the 30-day
archive, against the real seeded driver hierarchy (tests/support/workbook.py). The manager's edits are
made with openpyxl, as Excel or LibreOffice would save them.

Oracles: the seed's weights (interest_rate_10y 0.12; MACRO weights sum to 1.00) and the arithmetic written
out below."""

from __future__ import annotations

import re
import zipfile
from datetime import UTC, date, datetime, timedelta

import psycopg
import pytest
from openpyxl import load_workbook

from tests.support.workbook import clone, discovery, session_template
from valuation_platform.pipelines.india.drivers import rebuild_drivers
from valuation_platform.pipelines.workbook.backends import XlsxBackend
from valuation_platform.pipelines.workbook.edits import apply_workbook_edits, find_edits
from valuation_platform.pipelines.workbook.publish import write_workbook
from valuation_platform.pipelines.workbook.tabs import DISCOVERED, MACRO, SUBGROUP, TABS, VALUATIONS
from valuation_platform.warehouse.embedded import drop_database
from valuation_platform.warehouse.tables.intelligence import DISCOVERED_DRIVERS
from valuation_platform.warehouse.upsert import upsert

# module-scoped databases cloned from the session's workbook template: every test of the module on one xdist worker
pytestmark = pytest.mark.xdist_group("workbook_local")

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
T1 = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
T2 = datetime(2026, 11, 21, 9, 5, tzinfo=UTC)
MACRO_KEYS = ("MACRO|interest_rate_10y", "MACRO|gdp_growth")


@pytest.fixture(scope="module")
def template(pg_admin, session_base):
    return session_template(pg_admin, session_base, T0)


@pytest.fixture
def db(pg_admin, template, request):
    name = f"vpt_wbl_{request.node.name[5:30]}"
    yield clone(pg_admin, template.dbname, name)
    drop_database(pg_admin, name)


def row_of(sheet, key: str) -> int:
    """1-based openpyxl row of ``key`` in column A."""
    return next(cell.row for cell in sheet["A"] if cell.value == key)


def test_local_workbook_edit_flow(db, tmp_path) -> None:
    path = tmp_path / "workbook.xlsx"
    backend = XlsxBackend(path)
    with psycopg.connect(db.url, autocommit=True) as conn:
        report = write_workbook(conn, backend, now=T1)
        book = load_workbook(path)
        assert book.sheetnames == [t.name for t in TABS]
        assert report["values_batch_updates"] == 9
        # a manager moves 0.02 of MACRO weight from the 10y yield to GDP growth, in one save (the MACRO
        # weights must still sum to 1.00: 0.12 -> 0.10 and w -> w + 0.02), and types a bad direction
        macro = book[MACRO.name]
        header = [c.value for c in macro[1]]
        weight_col = header.index("weight") + 1
        rate, gdp = (row_of(macro, k) for k in MACRO_KEYS)
        gdp_weight = macro.cell(gdp, weight_col).value
        macro.cell(rate, weight_col).value = 0.10
        macro.cell(gdp, weight_col).value = gdp_weight + 0.02
        sub = book[SUBGROUP.name]
        sub_header = [c.value for c in sub[1]]
        loan = row_of(sub, "SUBGROUP|FINANCIALS|FINANCIALS_BANKS|loan_growth")
        sub.cell(loan, sub_header.index("direction") + 1).value = "SIDEWAYS"
        book.save(path)

        pending, _ = find_edits(conn, backend)
        assert {t: len(e) for t, e in pending.items()} == {MACRO.name: 2, SUBGROUP.name: 1}
        outcome = apply_workbook_edits(conn, backend, now=T2)
        assert (outcome["adjustments_applied"], outcome["adjustments_rejected"]) == (2, 1)
        rebuild_drivers(conn, now=T2, updated_by="macro_sync")
        weights = dict(conn.execute("select driver_key, weight from analytics.india_drivers where driver_key = any(%s)",
                                    (list(MACRO_KEYS),)).fetchall())
        assert weights["MACRO|interest_rate_10y"] == pytest.approx(0.10)
        assert weights["MACRO|gdp_growth"] == pytest.approx(gdp_weight + 0.02)
        (total,) = conn.execute("select sum(weight) from analytics.india_drivers where driver_level = 'MACRO'").fetchone()
        assert total == pytest.approx(1.0)
        by = {r[0] for r in conn.execute("select updated_by from analytics.india_drivers where driver_key = any(%s)",
                                         (list(MACRO_KEYS),)).fetchall()}
        assert by == {"pm_edit"}
        assert find_edits(conn, backend)[0] == {}  # nothing pending once applied and written back

    saved = load_workbook(path)
    status_col = sub_header.index("Status") + 1
    assert saved[SUBGROUP.name].cell(loan, status_col).value == (
        "rejected: direction 'SIDEWAYS' is not one of UP, DOWN, STABLE")
    assert saved[SUBGROUP.name].cell(loan, sub_header.index("direction") + 1).value == "DOWN"
    assert saved[MACRO.name].cell(rate, header.index("Status") + 1).value == "applied 2026-11-21 09:05 UTC"


def test_a_lone_macro_weight_edit_is_rejected_with_the_total(db, tmp_path) -> None:
    path = tmp_path / "workbook.xlsx"
    backend = XlsxBackend(path)
    with psycopg.connect(db.url, autocommit=True) as conn:
        write_workbook(conn, backend, now=T1)
        book = load_workbook(path)
        macro = book[MACRO.name]
        header = [c.value for c in macro[1]]
        rate = row_of(macro, "MACRO|interest_rate_10y")
        macro.cell(rate, header.index("weight") + 1).value = 0.17  # 1.00 - 0.12 + 0.17 = 1.05
        book.save(path)
        apply_workbook_edits(conn, backend, now=T2)
        (reason,) = conn.execute("select rejection_reason from analytics.india_driver_adjustments").fetchone()
    assert reason == "MACRO MACRO weights would sum to 1.0500, expected 1"
    assert load_workbook(path)[MACRO.name].cell(rate, header.index("weight") + 1).value == 0.12


def test_rows_older_than_30_days_move_to_the_archive(db, tmp_path) -> None:
    """No valuations in this warehouse: the window ends today (T1's date), so it starts 2026-10-22
    (2026-11-21 - 30 days); a row of 2026-10-12 leaves for the archive, one of 2026-11-16 does not."""
    path = tmp_path / "workbook.xlsx"
    backend = XlsxBackend(path)
    header = ["valuation_date", "nse_symbol", "model", "intrinsic_value_per_share"]
    backend.write_tabs({VALUATIONS.name: [header, ["2026-10-12", "TCS", "FCFF", 3500.0],
                                          ["2026-11-16", "TCS", "FCFF", 3550.0]]})
    assert T1.date() - timedelta(days=30) == date(2026, 10, 22)
    with psycopg.connect(db.url, autocommit=True) as conn:
        report = write_workbook(conn, backend, now=T1)
        archived = conn.execute("select tab, row_date, cells from analytics.workbook_archive").fetchall()
        again = write_workbook(conn, backend, now=T1)  # the archived row is gone from the sheet: nothing new
    assert report["rows_archived"] == 1 and again["rows_archived"] == 0
    assert archived == [(VALUATIONS.name, date(2026, 10, 12), dict(zip(header, ["2026-10-12", "TCS", "FCFF", 3500.0])))]


def test_a_manager_fills_a_suggestions_values_in_tab_7_then_approves(db, tmp_path) -> None:
    """A suggestion without values moves nothing once approved; tab 7 takes them. Round 1: previous 75 and
    current "85%" (not a number: rejected, restored) with APPROVE in the same save -> the gate refuses an
    approval with one value only, the row stays PENDING. Round 2: current 85 and APPROVE -> APPROVED with both
    values, and the drivers build carries them (and the category's sign) into the hierarchy."""
    path = tmp_path / "workbook.xlsx"
    backend = XlsxBackend(path)
    key = "SUBGROUP|AUTO|AUTO_TWO_THREE_WHEELERS|ev_adoption_rate"
    with psycopg.connect(db.url, autocommit=True) as conn:
        upsert(conn, DISCOVERED_DRIVERS, [discovery("d-ev", "AUTO", "AUTO_TWO_THREE_WHEELERS", "ev_adoption_rate",
                                                    0.05, T1)], source="test")
        write_workbook(conn, backend, now=T1)

        def save(**cells: object) -> None:
            book = load_workbook(path)
            sheet = book[DISCOVERED.name]
            header = [c.value for c in sheet[1]]
            for column, value in cells.items():
                sheet.cell(row_of(sheet, "d-ev"), header.index(column) + 1).value = value
            book.save(path)

        save(previous_value=75, current_value="85%", decision="APPROVE", reviewer="pm.iyer")
        first = apply_workbook_edits(conn, backend, now=T2)
        state = conn.execute("select status, previous_value, current_value from analytics.discovered_drivers"
                             ).fetchone()
        sheet = load_workbook(path)[DISCOVERED.name]
        header = [c.value for c in sheet[1]]
        status = sheet.cell(row_of(sheet, "d-ev"), header.index("Status") + 1).value
        restored = sheet.cell(row_of(sheet, "d-ev"), header.index("current_value") + 1).value

        save(current_value=85, decision="APPROVE", reviewer="pm.iyer")
        second = apply_workbook_edits(conn, backend, now=T2 + timedelta(minutes=5))
        decided = conn.execute("select status, reviewer, previous_value, current_value from "
                               "analytics.discovered_drivers").fetchone()
        rebuild_drivers(conn, now=T2 + timedelta(minutes=10), updated_by="macro_sync")
        driver = conn.execute("select weight, previous_value, current_value, sensitivity, updated_by from "
                              "analytics.india_drivers where driver_key = %s", (key,)).fetchone()

    assert (first["applied"], first["rejected"], first["decisions"]) == (1, 2, 0)
    assert state == ("PENDING", 75.0, None)
    assert status == ("rejected: current_value '85%' is not a number; decision approval refused: ev_adoption_rate "
                      "has only one of previous_value and current_value (a move needs both; clear or fill the other)")
    assert restored is None  # the rejected cell goes back to what was written (blank)
    assert (second["decisions"], second["rejected"]) == (1, 0)
    assert decided == ("APPROVED", "pm.iyer", 75.0, 85.0)
    assert driver == (0.05, 75.0, 85.0, 1, "agent_discovery")  # DEMAND: the category's sign, +1


def without_dimensions(path, out) -> None:
    """``path`` re-zipped with every sheet's <dimension> element removed, as some writers save a workbook."""
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb"<dimension [^>]*/>", b"", data)
            target.writestr(item, data)


@pytest.mark.parametrize("dimensions", ["as openpyxl saves them", "left out"])
def test_reading_the_local_workbook_matches_a_full_load(tmp_path, dimensions) -> None:
    """read() and grids() open the file read-only; openpyxl's full load of the same file is the oracle, for
    ragged rows, blank cells inside and at the end, and a sheet whose writer left out its size."""
    rows = [["key", "value", "note"], ["a", 1.5, None], ["b"], [None, None, None, "tail"], ["c", 2, "x"]]
    written = tmp_path / "written.xlsx"
    backend = XlsxBackend(written)
    backend.write_tabs({"First": rows, "Second": [["only"]]})
    path = written
    if dimensions == "left out":
        path = tmp_path / "no_dimensions.xlsx"
        without_dimensions(written, path)
        assert b"<dimension" not in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    book = load_workbook(path, data_only=True)
    expected = {name: [list(r) for r in book[name].iter_rows(values_only=True)] for name in book.sheetnames}
    assert expected["First"][3] == [None, None, None, "tail"] and expected["First"][2] == ["b", None, None, None]
    reader = XlsxBackend(path)
    assert reader.read(["First", "Second", "Missing"]) == {**expected, "Missing": []}
    assert reader.grids() == {"First": (5, 4), "Second": (1, 1)}
