"""screener.in company exports: the Excel workbook's "Data Sheet" and the per-statement CSVs.

Layouts (the real RELIANCE, TCS and HDFC Bank exports in the shared fixtures; template v2.1):

* Workbook (``.xlsx``): the sheet "Data Sheet" holds, in column A, ``COMPANY NAME`` (value in B), then
  sections headed ``PROFIT & LOSS``, ``Quarters``, ``BALANCE SHEET``, ``CASH FLOW:``, each followed by a
  ``Report Date`` row (period-end dates across B..K) and one row per line item; a ``PRICE:`` row (the
  year-end prices of the annual columns) and ``DERIVED:`` (``Adjusted Equity Shares in Cr``). Banks use
  the same labels (``Sales`` is interest earned, ``Borrowings`` includes deposits).
* CSV (``<Company>_Profit_Loss.csv``, ``<Company>_Balance_Sheet.csv``): ``Narration`` then the year
  headers Excel rewrote as ``15-Mar`` (= FY ending March 2015), figures with thousands separators
  (``"374,372.00"``) and ratio rows in percent (``12.49%`` -> 12.49).

Money is Rs crore; share counts are units (``No. of Equity Shares``) or crore (derived). A period header
is the last day of its month. A blank cell is a missing item (no row); a cell that is not a number is a
bad item, reported as a :class:`SourceError` naming the line and period, while the rest of the file loads.
"""

from __future__ import annotations

import calendar
import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from valuation_platform.sources.errors import SourceError

SOURCE = "screener"
DATA_SHEET = "Data Sheet"
PROFIT_LOSS, QUARTERS, BALANCE_SHEET, CASH_FLOW, PRICE, DERIVED = (
    "PROFIT_LOSS", "QUARTERS", "BALANCE_SHEET", "CASH_FLOW", "PRICE", "DERIVED")
# Column-A headings of the Data Sheet (case- and colon-insensitive) -> statement.
SECTIONS = {"profit & loss": PROFIT_LOSS, "quarters": QUARTERS, "balance sheet": BALANCE_SHEET,
            "cash flow": CASH_FLOW, "derived": DERIVED}
CSV_STATEMENTS = {"profit_loss": PROFIT_LOSS, "balance_sheet": BALANCE_SHEET, "cash_flow": CASH_FLOW,
                  "quarters": QUARTERS}
MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}


@dataclass
class Statements:
    company_name: str | None
    rows: list[dict[str, Any]] = field(default_factory=list)  # statement, period_end, line_item, value
    errors: list[SourceError] = field(default_factory=list)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def period_end(header: Any) -> date | None:
    """A column header as a period end: a date cell, ISO text, ``15-Mar`` (Excel's YY-Mon) or ``Mar-15``."""
    if isinstance(header, datetime | date):
        d = header.date() if isinstance(header, datetime) else header
        return _month_end(d.year, d.month)
    text = str(header or "").strip()
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?", text):
        return _month_end(int(m[1]), int(m[2]))
    if m := re.fullmatch(r"(\d{2})-([A-Za-z]{3})", text):
        year, mon = 2000 + int(m[1]), m[2]
    elif m := re.fullmatch(r"([A-Za-z]{3})[- ](\d{2}|\d{4})", text):
        mon, year = m[1], int(m[2]) + (2000 if len(m[2]) == 2 else 0)
    else:
        return None
    month = MONTHS.get(mon.lower())
    return _month_end(year, month) if month else None


def number(cell: Any) -> float | None:
    """A figure: numbers pass, ``"1,234.50"`` and ``"12.49%"`` are read, blank is None; else ValueError."""
    if cell is None or isinstance(cell, bool):
        return None
    if isinstance(cell, int | float):
        return float(cell)
    text = str(cell).strip().replace(",", "").removesuffix("%").strip()
    return float(text) if text else None


def _item(out: Statements, document: str, statement: str, period: date, line: str, cell: Any) -> None:
    try:
        value = number(cell)
    except ValueError:
        out.errors.append(SourceError(SOURCE, document, f"not a number: {cell!r}",
                                      field=f"{statement}.{line}.{period.isoformat()}"))
        return
    if value is not None:
        out.rows.append({"statement": statement, "period_end": period, "line_item": line, "value": value})


def parse_data_sheet(payload: bytes, *, document: str) -> Statements:
    """The "Data Sheet" of a screener.in workbook; raises :class:`SourceError` if it is not one."""
    import openpyxl  # the workbook reader is only needed here

    try:
        book = openpyxl.load_workbook(io.BytesIO(payload), read_only=True, data_only=True)
    except Exception as error:  # zipfile/openpyxl raise many types for a file that is not a workbook
        raise SourceError(SOURCE, document, f"not an Excel workbook: {error}") from error
    if DATA_SHEET not in book.sheetnames:
        raise SourceError(SOURCE, document, f"no {DATA_SHEET!r} sheet (sheets: {book.sheetnames})",
                          field="sheet")
    grid = [list(r) for r in book[DATA_SHEET].iter_rows(values_only=True)]
    book.close()
    out = Statements(company_name=None)
    statement: str | None = None
    periods: list[date | None] = []
    annual: list[date | None] = []
    for row in grid:
        label = str(row[0]).strip() if row and row[0] is not None else ""
        if not label:
            continue
        key = label.rstrip(":").strip().lower()
        if key == "company name":
            out.company_name = str(row[1]).strip() if len(row) > 1 and row[1] else None
        elif key in SECTIONS:
            statement, periods = SECTIONS[key], []
            if statement == DERIVED:
                periods = annual
        elif key == "meta":
            statement = None
        elif key == "report date" and statement is not None:
            periods = [period_end(c) for c in row[1:]]
            if statement == PROFIT_LOSS:
                annual = periods
        elif key == "price":
            # The PRICE: row sits outside a section: year-end prices of the annual columns.
            for period, cell in zip(annual, row[1:]):
                if period is not None:
                    _item(out, document, PRICE, period, "Price", cell)
        elif statement is not None and periods:
            for period, cell in zip(periods, row[1:]):
                if period is not None:
                    _item(out, document, statement, period, label, cell)
    if not out.rows:
        raise SourceError(SOURCE, document, "no statement rows: no 'Report Date' row with period headers",
                          field="Report Date")
    return out


def parse_statement_csv(payload: bytes, *, document: str, statement: str) -> Statements:
    """One statement CSV (``Narration`` + ``15-Mar`` year headers); raises if the header has no periods."""
    text = payload.decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    periods = [period_end(h) for h in header[1:]]
    if not header or header[0].strip().lower() != "narration" or not any(periods):
        raise SourceError(SOURCE, document, f"not a screener statement CSV: header {header[:3]}",
                          field="header")
    out = Statements(company_name=None)
    for row in reader:
        if not row or not row[0].strip():
            continue
        for period, cell in zip(periods, row[1:]):
            if period is not None:
                _item(out, document, statement, period, row[0].strip(), cell)
    return out


def parse_export(payload: bytes, *, file_name: str, document: str) -> Statements:
    """A workbook or a statement CSV, by file name: ``<SYMBOL>[_...].xlsx`` or ``<SYMBOL>_<Statement>.csv``."""
    lowered = file_name.lower()
    if lowered.endswith(".xlsx"):
        return parse_data_sheet(payload, document=document)
    if lowered.endswith(".csv"):
        stem = lowered.rsplit(".", 1)[0]
        statement = next((s for suffix, s in CSV_STATEMENTS.items() if stem.endswith("_" + suffix)), None)
        if statement is None:
            raise SourceError(SOURCE, document, "a statement CSV's name must end in _Profit_Loss, "
                              "_Balance_Sheet, _Cash_Flow or _Quarters", field="file name")
        return parse_statement_csv(payload, document=document, statement=statement)
    raise SourceError(SOURCE, document, "not a screener export (.xlsx or .csv)", field="file name")


def symbol_from_file_name(file_name: str) -> str:
    """``RELIANCE.xlsx`` / ``Reliance_Profit_Loss.csv`` -> ``RELIANCE``: the name up to the first ``_``."""
    return file_name.rsplit(".", 1)[0].split("_", 1)[0].strip().upper()
