"""FRED series through ``fredgraph.csv``: one CSV per series, the whole history in one request, no key.

Request: ``GET https://fred.stlouisfed.org/graph/fredgraph.csv?id=<SERIES>``. The body is two columns, a
date and the series: older exports head them ``DATE,<SERIES>``, current ones ``observation_date,<SERIES>``.
A day without an observation (a bond-market holiday for DGS10) is ``.``; it is kept with value None so
"no print" differs from "not fetched". Anything else unparsable raises :class:`SourceError` naming the row.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.http import HttpClient

SOURCE = "fred"
GRAPH_CSV_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv"
DATE_HEADERS = ("DATE", "observation_date")
MISSING = {".", ""}


def series_request(series_id: str) -> tuple[str, dict[str, str]]:
    return GRAPH_CSV_URL, {"id": series_id}


def parse_series_csv(payload: bytes, series_id: str, document: str | None = None) -> list[dict[str, Any]]:
    """Rows ``{series_id, obs_date, value}`` of a fredgraph.csv body."""
    doc = document or f"{series_id}.csv"
    reader = csv.reader(io.StringIO(payload.decode("utf-8-sig")))
    header = next(reader, None)
    if not header or len(header) < 2 or header[0].strip() not in DATE_HEADERS:
        raise SourceError(SOURCE, doc, f"expected a DATE/observation_date header, got {header!r}", field="header")
    if header[1].strip().upper() != series_id.upper():
        raise SourceError(SOURCE, doc, f"the CSV holds {header[1]!r}, not {series_id}", field="header")
    rows: list[dict[str, Any]] = []
    for line, record in enumerate(reader, start=2):
        if not record:
            continue
        try:
            day = date.fromisoformat(record[0].strip())
            raw = record[1].strip()
            value = None if raw in MISSING else float(raw)
        except (ValueError, IndexError) as exc:
            raise SourceError(SOURCE, doc, f"line {line}: {record!r} ({exc})", field=f"line {line}") from exc
        rows.append({"series_id": series_id, "obs_date": day, "value": value})
    return rows


def fetch_series(client: HttpClient, series_id: str) -> list[dict[str, Any]]:
    url, params = series_request(series_id)
    return parse_series_csv(client.get_bytes(url, source=SOURCE, params=params), series_id,
                            document=f"fredgraph.csv?id={series_id}")
