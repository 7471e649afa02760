"""A loopback Google Sheets API v4 server implementing the calls gspread makes for the workbook:
``GET spreadsheets/{id}`` (metadata), ``POST spreadsheets/{id}:batchUpdate`` (addSheet,
updateSheetProperties, deleteSheet), ``POST .../values:batchUpdate``, ``GET .../values:batchGet`` and
``GET .../values/{range}``; any call can be made to answer 429 with Retry-After first.

Responses are shaped like the bodies gspread recorded against the real API
(../shared/fixtures/gsheets): the spreadsheet's ``properties`` are the recorded ones, and
test_fake_sheets_answers_like_the_recorded_api checks the keys of each response against the recording.
Every request is logged (method, kind, tabs), so a test counts the calls a write made.
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.support.loopback import serving_thread

CELL = re.compile(r"^([A-Z]+)(\d+)$")
RANGE = re.compile(r"^(?:'((?:[^']|'')+)'|([^!]+))(?:!(.+))?$")


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - 64)
    return index - 1


def _letters(index: int) -> str:
    out, index = "", index + 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


@dataclass
class Sheet:
    sheet_id: int
    title: str
    rows: int
    cols: int
    cells: dict[tuple[int, int], Any] = field(default_factory=dict)

    def properties(self, index: int) -> dict[str, Any]:
        return {"sheetId": self.sheet_id, "title": self.title, "index": index, "sheetType": "GRID",
                "gridProperties": {"rowCount": self.rows, "columnCount": self.cols}}

    def values(self) -> list[list[Any]]:
        """Rows as the API returns them: trailing empty cells and rows dropped, inner gaps as ''."""
        filled = {k: v for k, v in self.cells.items() if v not in ("", None)}
        if not filled:
            return []
        last_row = max(r for r, _ in filled)
        out = []
        for r in range(last_row + 1):
            cols = [c for (rr, c) in filled if rr == r]
            out.append([filled.get((r, c), "") for c in range(max(cols) + 1)] if cols else [])
        return out


class FakeSheets:
    """``FakeSheets(recorded_metadata)`` serves one spreadsheet on 127.0.0.1; ``url`` is the endpoint that
    replaces https://sheets.googleapis.com."""

    def __init__(self, recorded_metadata: dict[str, Any], key: str = "1WorkbookFakeKey") -> None:
        self.key = key
        self.properties = dict(recorded_metadata["properties"])
        first = recorded_metadata["sheets"][0]["properties"]  # a new spreadsheet's one default tab
        self.sheets: list[Sheet] = [Sheet(first["sheetId"], first["title"], first["gridProperties"]["rowCount"],
                                          first["gridProperties"]["columnCount"])]
        self.calls: list[tuple[str, str, tuple[str, ...]]] = []  # (method, kind, tabs)
        self.failures: deque[tuple[int, str, str | None]] = deque()
        self._next_id = 1_000_000
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
                body = json.dumps(payload, indent=2).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def _handle(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                with fake._lock:
                    status, payload, headers = fake.handle(method, self.path, body)
                self._send(status, payload, headers)

            def do_GET(self) -> None:  # noqa: N802
                self._handle("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._handle("POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = serving_thread(self.server)

    def __enter__(self) -> FakeSheets:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    # ---------------------------------------------------------------- test helpers
    def fail_next(self, times: int = 1, retry_after: str = "1", kind: str | None = None) -> None:
        """The next ``times`` requests (of ``kind``, e.g. "values:batchUpdate", or any) answer 429
        RESOURCE_EXHAUSTED with ``Retry-After``."""
        self.failures.extend([(429, retry_after, kind)] * times)

    def sheet(self, title: str) -> Sheet:
        return next(s for s in self.sheets if s.title == title)

    def values(self, title: str) -> list[list[Any]]:
        return self.sheet(title).values()

    def type_cell(self, title: str, row: int, col: int, value: Any) -> None:
        """A manager typing into a cell (0-based row/column; row 0 = the header)."""
        with self._lock:
            self.sheet(title).cells[(row, col)] = value

    def count(self, kind: str) -> int:
        return sum(1 for _, k, _ in self.calls if k == kind)

    # ---------------------------------------------------------------- the API
    @staticmethod
    def _error(code: int, status: str, message: str) -> tuple[int, dict[str, Any], dict[str, str]]:
        return code, {"error": {"code": code, "message": message, "status": status}}, {}

    def _parse(self, a1: str) -> tuple[Sheet | None, int, int, str]:
        match = RANGE.match(a1)
        if not match:
            return None, 0, 0, a1
        title = (match.group(1) or "").replace("''", "'") or match.group(2)
        sheet = next((s for s in self.sheets if s.title == title), None)
        cell = CELL.match(match.group(3) or "A1")
        if cell is None:
            return sheet, 0, 0, title
        return sheet, int(cell.group(2)) - 1, _column_index(cell.group(1)), title

    def metadata(self) -> dict[str, Any]:
        return {"spreadsheetId": self.key, "properties": self.properties,
                "sheets": [{"properties": s.properties(i)} for i, s in enumerate(self.sheets)],
                "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{self.key}/edit"}

    def handle(self, method: str, raw_path: str, body: Any) -> tuple[int, dict[str, Any], dict[str, str]]:
        parts = urlsplit(raw_path)
        path = unquote(parts.path)
        query = parse_qs(parts.query)
        prefix = f"/v4/spreadsheets/{self.key}"
        if not path.startswith(prefix):
            self.calls.append((method, "unknown", ()))
            return self._error(404, "NOT_FOUND", "Requested entity was not found.")
        rest = path[len(prefix):]
        kind = {("GET", ""): "metadata", ("POST", ":batchUpdate"): "batchUpdate",
                ("POST", "/values:batchUpdate"): "values:batchUpdate",
                ("GET", "/values:batchGet"): "values:batchGet"}.get((method, rest))
        if kind is None and method == "GET" and rest.startswith("/values/"):
            kind = "values:get"
        if self.failures and self.failures[0][2] in (None, kind):
            code, retry_after, _ = self.failures.popleft()
            self.calls.append((method, f"{kind}:{code}", ()))
            return code, {"error": {"code": code, "status": "RESOURCE_EXHAUSTED", "message": (
                "Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute per "
                "user' of service 'sheets.googleapis.com'.")}}, {"Retry-After": retry_after}
        if kind == "metadata":
            self.calls.append((method, kind, ()))
            return 200, self.metadata(), {}
        if kind == "batchUpdate":
            return self._batch_update(body)
        if kind == "values:batchUpdate":
            return self._values_batch_update(body)
        if kind == "values:batchGet":
            return self._values_get(query.get("ranges", []), kind, batch=True)
        if kind == "values:get":
            return self._values_get([rest[len("/values/"):]], kind, batch=False)
        self.calls.append((method, "unknown", ()))
        return self._error(404, "NOT_FOUND", f"no such method {method} {rest}")

    def _batch_update(self, body: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
        replies: list[dict[str, Any]] = []
        tabs: list[str] = []
        for request in body.get("requests", []):
            if "addSheet" in request:
                props = request["addSheet"]["properties"]
                if any(s.title == props["title"] for s in self.sheets):
                    return self._error(400, "INVALID_ARGUMENT", f"Invalid requests[0].addSheet: A sheet with "
                                       f"the name \"{props['title']}\" already exists.")
                grid = props.get("gridProperties", {})
                self._next_id += 1
                sheet = Sheet(self._next_id, props["title"], grid.get("rowCount", 1000), grid.get("columnCount", 26))
                self.sheets.append(sheet)
                replies.append({"addSheet": {"properties": sheet.properties(len(self.sheets) - 1)}})
                tabs.append(sheet.title)
            elif "updateSheetProperties" in request:
                props = request["updateSheetProperties"]["properties"]
                sheet = next(s for s in self.sheets if s.sheet_id == props["sheetId"])
                grid = props.get("gridProperties", {})
                sheet.rows, sheet.cols = grid.get("rowCount", sheet.rows), grid.get("columnCount", sheet.cols)
                sheet.cells = {(r, c): v for (r, c), v in sheet.cells.items() if r < sheet.rows and c < sheet.cols}
                replies.append({})
                tabs.append(sheet.title)
            elif "deleteSheet" in request:
                self.sheets = [s for s in self.sheets if s.sheet_id != request["deleteSheet"]["sheetId"]]
                replies.append({})
            else:
                return self._error(400, "INVALID_ARGUMENT", f"unsupported request {sorted(request)}")
        self.calls.append(("POST", "batchUpdate", tuple(tabs)))
        return 200, {"spreadsheetId": self.key, "replies": replies}, {}

    def _values_batch_update(self, body: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
        responses: list[dict[str, Any]] = []
        tabs: list[str] = []
        for part in body.get("data", []):
            sheet, row, col, title = self._parse(part["range"])
            if sheet is None:
                return self._error(400, "INVALID_ARGUMENT", f"Unable to parse range: {part['range']}")
            values = part.get("values", [])
            width = max((len(r) for r in values), default=0)
            if row + len(values) > sheet.rows or col + width > sheet.cols:
                return self._error(400, "INVALID_ARGUMENT", f"Range ('{title}'!{part['range']}) exceeds grid "
                                   f"limits. Max rows: {sheet.rows}, max columns: {sheet.cols}")
            for r, cells in enumerate(values):
                for c, value in enumerate(cells):
                    if value is not None:  # null leaves the cell as it is (the API's rule)
                        sheet.cells[(row + r, col + c)] = value
            end = f"{_letters(col + width - 1)}{row + len(values)}"
            responses.append({"spreadsheetId": self.key, "updatedRange": f"{title}!{_letters(col)}{row + 1}:{end}",
                              "updatedRows": len(values), "updatedColumns": width,
                              "updatedCells": sum(len(r) for r in values)})
            tabs.append(title)
        self.calls.append(("POST", "values:batchUpdate", tuple(dict.fromkeys(tabs))))
        return 200, {"spreadsheetId": self.key,
                     "totalUpdatedRows": sum(r["updatedRows"] for r in responses),
                     "totalUpdatedColumns": max((r["updatedColumns"] for r in responses), default=0),
                     "totalUpdatedCells": sum(r["updatedCells"] for r in responses),
                     "totalUpdatedSheets": len(set(tabs)), "responses": responses}, {}

    def _values_get(self, ranges: list[str], kind: str, *, batch: bool) -> tuple[int, dict[str, Any], dict[str, str]]:
        out: list[dict[str, Any]] = []
        for a1 in ranges:
            sheet, _, _, title = self._parse(a1)
            if sheet is None:
                return self._error(400, "INVALID_ARGUMENT", f"Unable to parse range: {a1}")
            out.append({"range": f"'{title}'!A1:{_letters(sheet.cols - 1)}{sheet.rows}", "majorDimension": "ROWS",
                        **({"values": sheet.values()} if sheet.values() else {})})
        self.calls.append(("GET", kind, tuple(self._parse(a)[3] for a in ranges)))
        if batch:
            return 200, {"spreadsheetId": self.key, "valueRanges": out}, {}
        return 200, out[0], {}
