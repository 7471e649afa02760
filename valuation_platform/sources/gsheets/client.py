"""The managers' spreadsheet through gspread 6, with the platform's rules on top of it:

* every tab is written with ONE ``values:batchUpdate`` (never a call per cell), the tab shapes with one
  ``spreadsheets:batchUpdate`` (``addSheet`` for missing tabs, ``updateSheetProperties`` to size each grid
  to its rows, which also drops rows left from a longer previous write);
* 429 and 5xx are retried, waiting what ``Retry-After`` says (else exponential backoff), a bounded number
  of times; gspread's own BackOffHTTPClient ignores Retry-After and sleeps up to 128 s;
* ``endpoint`` replaces ``https://sheets.googleapis.com`` (``VP_GSHEETS_URL``): an emulator, or the
  loopback fake the tests run. Credentials are a service account's JSON key; with none, an endpoint is
  called unauthenticated (what a loopback fake accepts) and Google itself refuses.

Failures surface as :class:`SourceError` naming the spreadsheet, the range and Google's message.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from functools import partial
from typing import Any

import gspread
import requests
from gspread.exceptions import APIError, SpreadsheetNotFound

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.http import parse_retry_after

SOURCE = "gsheets"
GOOGLE_SHEETS = "https://sheets.googleapis.com"
SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_WAIT = 60.0


class RetryingHTTPClient(gspread.HTTPClient):
    """gspread's HTTP client with the endpoint override and Retry-After-aware retries."""

    def __init__(self, auth: Any, session: requests.Session | None = None, *, endpoint: str | None = None,
                 max_retries: int = 5, sleep: Callable[[float], None] = time.sleep) -> None:
        super().__init__(auth, session)
        self.endpoint = endpoint.rstrip("/") if endpoint else None
        self.max_retries = max_retries
        self.sleep = sleep
        self.retries = 0  # retried responses in this client's life (reported by the writer)

    def request(self, method: str, endpoint: str, *args: Any, **kwargs: Any) -> requests.Response:
        if self.endpoint and endpoint.startswith(GOOGLE_SHEETS):
            endpoint = self.endpoint + endpoint[len(GOOGLE_SHEETS):]
        attempt = 0
        while True:
            try:
                return super().request(method, endpoint, *args, **kwargs)
            except APIError as error:
                status = error.response.status_code
                if status not in RETRY_STATUSES or attempt >= self.max_retries:
                    raise
                wait = parse_retry_after(error.response.headers.get("Retry-After"))
                self.sleep(min(MAX_WAIT, wait if wait is not None else 2.0 ** attempt))
                attempt += 1
                self.retries += 1


def cell_value(value: Any) -> Any:
    """A value the Sheets API stores as written (RAW): null would leave the old cell, so blank is ''. A cell
    holds one scalar: a list (an event's companies, groups) is written comma-separated."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(cell_value(v)) for v in value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, float) and value != value:  # NaN
        return ""
    return value


class SheetsClient:
    """One spreadsheet, opened by key."""

    def __init__(self, spreadsheet_key: str, *, credentials_json: str | None = None, endpoint: str | None = None,
                 max_retries: int = 5, timeout: float = 60.0, sleep: Callable[[float], None] = time.sleep) -> None:
        if not spreadsheet_key:
            raise ValueError("a spreadsheet key is required (VP_GSHEETS_SPREADSHEET_KEY)")
        if not credentials_json and not endpoint:
            raise ValueError("Google Sheets needs service-account credentials (VP_GSHEETS_CREDENTIALS_JSON)")
        self.key = spreadsheet_key
        session: requests.Session | None = None
        if credentials_json:  # gspread wraps them in google-auth's AuthorizedSession (token refresh included)
            from google.oauth2.service_account import Credentials

            try:
                info = json.loads(credentials_json)
                auth = Credentials.from_service_account_info(info, scopes=list(SCOPES))
            except (json.JSONDecodeError, ValueError) as error:
                raise SourceError(SOURCE, "service account key", f"unusable: {error}") from None
        else:
            auth, session = None, requests.Session()
        factory = partial(RetryingHTTPClient, endpoint=endpoint, max_retries=max_retries, sleep=sleep)
        self._client = gspread.Client(auth=auth, session=session, http_client=factory)  # type: ignore[arg-type]
        self._client.set_timeout(timeout)
        self.http: RetryingHTTPClient = self._client.http_client  # type: ignore[assignment]
        self._spreadsheet = self._call(f"spreadsheet {self.key}", self._client.open_by_key, self.key)

    def _call(self, what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except APIError as error:
            raise SourceError(SOURCE, f"{self.key} {what}",
                              f"HTTP {error.response.status_code}: {error.error.get('message', error)}") from None
        except (SpreadsheetNotFound, PermissionError) as error:  # open_by_key's own types for 404 / 403
            status = 404 if isinstance(error, SpreadsheetNotFound) else 403
            raise SourceError(SOURCE, f"{self.key} {what}", f"HTTP {status}: the spreadsheet does not exist or "
                              "is not shared with the service account") from None
        except requests.RequestException as error:
            raise SourceError(SOURCE, f"{self.key} {what}", f"transport: {error}") from None

    def grids(self) -> dict[str, tuple[int, int]]:
        """Tab title -> (rows, columns) of its grid, from the spreadsheet's metadata."""
        metadata = self._call("metadata", self._spreadsheet.fetch_sheet_metadata)
        return {s["properties"]["title"]: (s["properties"]["gridProperties"]["rowCount"],
                                           s["properties"]["gridProperties"]["columnCount"])
                for s in metadata.get("sheets", [])}

    def shape_tabs(self, shapes: Mapping[str, tuple[int, int]]) -> int:
        """Each tab exists with exactly ``(rows, columns)``: one spreadsheets:batchUpdate; returns the
        number of requests in it (0 = nothing to change, no call)."""
        metadata = self._call("metadata", self._spreadsheet.fetch_sheet_metadata)
        existing = {s["properties"]["title"]: s["properties"] for s in metadata.get("sheets", [])}
        requests_: list[dict[str, Any]] = []
        for title, (rows, cols) in shapes.items():
            grid = {"rowCount": max(rows, 1), "columnCount": max(cols, 1)}
            if title not in existing:
                requests_.append({"addSheet": {"properties": {"title": title, "sheetType": "GRID",
                                                              "gridProperties": grid}}})
            elif existing[title].get("gridProperties") != grid:
                requests_.append({"updateSheetProperties": {
                    "properties": {"sheetId": existing[title]["sheetId"], "gridProperties": grid},
                    "fields": "gridProperties.rowCount,gridProperties.columnCount"}})
        if requests_:
            self._call("batchUpdate", self._spreadsheet.batch_update, {"requests": requests_})
        return len(requests_)

    def write_ranges(self, title: str, ranges: Mapping[str, Sequence[Sequence[Any]]]) -> dict[str, Any]:
        """``{A1 range within the tab: rows}`` in ONE values:batchUpdate (RAW: text stays text)."""
        body = {"valueInputOption": "RAW", "data": [
            {"range": f"'{title}'!{cell}", "values": [[cell_value(v) for v in row] for row in rows]}
            for cell, rows in ranges.items()]}
        return self._call(f"'{title}' values:batchUpdate", self._spreadsheet.values_batch_update, body)

    def read_tabs(self, titles: Sequence[str]) -> dict[str, list[list[Any]]]:
        """Every cell of ``titles`` in ONE values:batchGet, numbers as numbers (UNFORMATTED_VALUE)."""
        if not titles:
            return {}
        response = self._call("values:batchGet", self._spreadsheet.values_batch_get,
                              [f"'{t}'" for t in titles], params={"valueRenderOption": "UNFORMATTED_VALUE"})
        ranges = response.get("valueRanges", [])
        if len(ranges) != len(titles):
            raise SourceError(SOURCE, f"{self.key} values:batchGet",
                              f"{len(ranges)} value ranges for {len(titles)} tabs", field="valueRanges")
        return {title: [list(r) for r in part.get("values", [])] for title, part in zip(titles, ranges)}
