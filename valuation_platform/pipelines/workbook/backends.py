"""Where the workbook lives: Google Sheets (gspread, sources/gsheets) or a local .xlsx (openpyxl), behind
one interface, so writing the tabs and reading the managers' edits is one code path."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from valuation_platform.analytics.workbook.edits import column_letter
from valuation_platform.sources.gsheets.client import SheetsClient, cell_value

Rows = list[list[Any]]


class WorkbookBackend(Protocol):
    description: str

    def read(self, tabs: Sequence[str]) -> dict[str, Rows]: ...

    def write_tabs(self, tabs: Mapping[str, Rows]) -> dict[str, Any]: ...

    def write_cells(self, tab: str, cells: Mapping[tuple[int, int], Any]) -> None: ...

    def grids(self) -> dict[str, tuple[int, int]]: ...


def _square(rows: Rows) -> tuple[Rows, int]:
    width = max((len(r) for r in rows), default=1)
    return [list(r) + [None] * (width - len(r)) for r in rows], width


class SheetsBackend:
    """A Google spreadsheet: one spreadsheets:batchUpdate shapes the tabs, one values:batchUpdate per tab."""

    def __init__(self, client: SheetsClient) -> None:
        self.client = client
        self.description = f"Google Sheets {client.key}"

    def read(self, tabs: Sequence[str]) -> dict[str, Rows]:
        present = set(self.client.grids())
        found = self.client.read_tabs([t for t in tabs if t in present])
        return {t: found.get(t, []) for t in tabs}

    def write_tabs(self, tabs: Mapping[str, Rows]) -> dict[str, Any]:
        squared = {name: _square(rows) for name, rows in tabs.items()}
        shape_requests = self.client.shape_tabs({n: (len(r), w) for n, (r, w) in squared.items()})
        for name, (rows, _) in squared.items():
            self.client.write_ranges(name, {"A1": rows})
        return {"values_batch_updates": len(squared), "shape_requests": shape_requests,
                "retried_responses": self.client.http.retries}

    def write_cells(self, tab: str, cells: Mapping[tuple[int, int], Any]) -> None:
        if cells:
            self.client.write_ranges(tab, {f"{column_letter(c)}{r + 1}": [[v]] for (r, c), v in cells.items()})

    def grids(self) -> dict[str, tuple[int, int]]:
        return self.client.grids()


class XlsxBackend:
    """A local workbook (no credentials): the same tabs in an .xlsx a manager edits in Excel/LibreOffice."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.description = f"local workbook {self.path}"

    def _load(self):  # type: ignore[no-untyped-def]
        from openpyxl import Workbook, load_workbook

        if self.path.exists():
            return load_workbook(self.path)
        book = Workbook()
        book.remove(book.active)
        return book

    @contextmanager
    def _read_only(self) -> Iterator[Any]:
        """The workbook opened to read values (closed afterwards): read-only mode parses a sheet as it is
        iterated instead of building every cell's object first (a tenth of the time), values as last saved."""
        from openpyxl import load_workbook

        book = load_workbook(self.path, read_only=True, data_only=True)
        try:
            for sheet in book.worksheets:
                if sheet.max_row is None or sheet.max_column is None:  # its writer left out <dimension>: count
                    sheet.reset_dimensions()
                    sheet.calculate_dimension(force=True)
            yield book
        finally:
            book.close()

    def read(self, tabs: Sequence[str]) -> dict[str, Rows]:
        if not self.path.exists():
            return {t: [] for t in tabs}
        with self._read_only() as book:
            return {t: [list(r) for r in book[t].iter_rows(values_only=True)] if t in book.sheetnames else []
                    for t in tabs}

    def write_tabs(self, tabs: Mapping[str, Rows]) -> dict[str, Any]:
        book = self._load()
        for index, (name, rows) in enumerate(tabs.items()):
            if name in book.sheetnames:
                book.remove(book[name])
            sheet = book.create_sheet(name, index)
            for row in _square(rows)[0]:
                sheet.append([cell_value(v) for v in row])
            sheet.freeze_panes = "A2"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        book.save(self.path)
        return {"values_batch_updates": len(tabs), "shape_requests": 0, "retried_responses": 0}

    def write_cells(self, tab: str, cells: Mapping[tuple[int, int], Any]) -> None:
        if not cells:
            return
        book = self._load()
        for (r, c), value in cells.items():
            book[tab].cell(row=r + 1, column=c + 1, value=cell_value(value))
        book.save(self.path)

    def grids(self) -> dict[str, tuple[int, int]]:
        if not self.path.exists():
            return {}
        with self._read_only() as book:
            return {sheet.title: (sheet.max_row, sheet.max_column) for sheet in book.worksheets}
