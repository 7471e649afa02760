"""Statement exports and bhavcopy files through the landing folder into raw tables (real files)."""

import shutil
from datetime import UTC, date, datetime

from valuation_platform.pipelines.valuation.inputs import bhavcopy_date, load_bhavcopy, load_statements
from valuation_platform.warehouse.bootstrap import ensure_tables
from valuation_platform.warehouse.connection import connect
from valuation_platform.warehouse.tables.valuation import RAW_TABLES

NOW = datetime(2026, 12, 1, 14, 30, tzinfo=UTC)


def test_landing_statements_and_prices_load_and_bad_files_are_quarantined(fresh_db, shared_fixtures, tmp_path):
    statements, prices = tmp_path / "statements", tmp_path / "bhavcopy"
    statements.mkdir()
    prices.mkdir()
    shutil.copy(shared_fixtures / "screener" / "Reliance_Data.xlsx", statements / "RELIANCE.xlsx")
    shutil.copy(shared_fixtures / "screener" / "screener_HDFC_Bank.xlsx", statements / "HDFCBANK.xlsx")
    (statements / "TCS.xlsx").write_bytes(b"not a workbook")
    (statements / "INFY_Profit_Loss.csv").write_text('Narration,23-Mar,24-Mar\nSales,"1,46,767.00",oops\n')
    shutil.copy(shared_fixtures / "nse" / "bhavcopy_cm01DEC2017bhav.csv", prices / "cm01DEC2017bhav.csv")
    with connect(fresh_db) as conn:
        ensure_tables(conn, RAW_TABLES)
        report = load_statements(conn, tmp_path, fetched_at=NOW)
        again = load_statements(conn, tmp_path, fetched_at=NOW)
        price_report = load_bhavcopy(conn, tmp_path, fetched_at=NOW)
        sales = conn.execute(
            "select value, company_name from raw.india_statements where nse_symbol = 'RELIANCE' "
            "and statement = 'PROFIT_LOSS' and period_end = '2024-03-31' and line_item = 'Sales'").fetchone()
        bank_np = conn.execute(
            "select value from raw.india_statements where nse_symbol = 'HDFCBANK' and statement = 'PROFIT_LOSS' "
            "and period_end = '2020-03-31' and line_item = 'Net profit'").fetchone()
        quarantined = conn.execute("select document, field from raw.quarantine order by document").fetchall()
        close = conn.execute("select close, layout from raw.nse_bhavcopy where nse_symbol = 'RELIANCE' "
                             "and series = 'EQ' and trade_date = '2017-12-01'").fetchone()
    assert sales == (901064.0, "RELIANCE INDUSTRIES LTD")
    assert bank_np == (27253.95,)
    # "1,46,767.00" (Indian grouping) is read; "oops" is an item; the broken workbook is a whole file.
    assert quarantined == [("statements/INFY_Profit_Loss.csv#PROFIT_LOSS", "PROFIT_LOSS.Sales.2024-03-31"),
                           ("statements/TCS.xlsx", None)]
    assert report["india_statements/inserted"] > 0 and report["documents_quarantined"] == 1
    assert report["items_quarantined"] == 1
    assert again["india_statements/inserted"] == 0 and again["india_statements/updated"] == 0  # idempotent
    assert close == (910.1, "legacy")  # RELIANCE,EQ,...,CLOSE 910.1 in the real file
    assert price_report["nse_bhavcopy/inserted"] == 1813


def test_bhavcopy_dates_from_file_names():
    assert bhavcopy_date("cm01DEC2017bhav.csv") == date(2017, 12, 1)
    assert bhavcopy_date("BhavCopy_NSE_CM_0_0_0_20240708_F_0000.csv") == date(2024, 7, 8)
    assert bhavcopy_date("prices.csv") is None
