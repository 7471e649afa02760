"""Lenient bar loading: a malformed bar is set aside with its reason, its neighbours still land."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.http import HttpClient, mirror_relpath
from valuation_platform.sources.polygon.aggregates import (
    daily_aggs_request,
    fetch_daily_aggs,
    fetch_daily_bars,
    fetch_grouped_bars,
    fetch_grouped_daily,
    grouped_daily_request,
)

START, END = date(2023, 1, 1), date(2023, 1, 10)
JAN3, JAN4, JAN5 = 1672722000000, 1672808400000, 1672894800000  # midnight New York


def _bar(t: int, **overrides) -> dict:
    return {"v": 100.0, "vw": 10.5, "o": 10.0, "c": 11.0, "h": 11.2, "l": 9.9, "t": t, "n": 7} | overrides


def _place(root: Path, request: tuple[str, dict], payload: dict) -> str:
    relpath = mirror_relpath(*request)
    (root / relpath).parent.mkdir(parents=True, exist_ok=True)
    (root / relpath).write_text(json.dumps(payload))
    return relpath


def test_a_bar_without_close_is_set_aside_with_its_json(tmp_path):
    bad = {k: v for k, v in _bar(JAN4).items() if k != "c"}
    document = _place(tmp_path, daily_aggs_request("AAPL", START, END),
                      {"ticker": "AAPL", "status": "OK", "results": [_bar(JAN3), bad, _bar(JAN5, o="x")]})
    client = HttpClient(source_root=tmp_path)
    with pytest.raises(SourceError, match="has no 'c'"):  # the strict client refuses the whole document
        fetch_daily_aggs(client, "AAPL", START, END, "k")
    result = fetch_daily_bars(client, "AAPL", START, END, "k")
    assert [r["trade_date"] for r in result.rows] == [date(2023, 1, 3)]
    assert [(e.document, e.field) for e in result.rejected] == [
        (f"{document}#results[1]", "results[1].c"),
        (f"{document}#results[2]", "results[2].o"),
    ]
    assert "AAPL 2023-01-04 has no 'c' (close)" in result.rejected[0].reason
    assert json.loads(result.excerpts[f"{document}#results[1]"]) == bad
    assert result.documents == [document]


def test_a_payload_for_another_ticker_still_fails_the_document(tmp_path):
    payload = {"ticker": "MSFT", "status": "OK", "results": []}
    _place(tmp_path, daily_aggs_request("AAPL", START, END), payload)
    with pytest.raises(SourceError, match="payload is for 'MSFT'"):
        fetch_daily_bars(HttpClient(source_root=tmp_path), "AAPL", START, END, "k")


def test_grouped_bars_on_the_wrong_day_or_repeated_are_set_aside(tmp_path):
    day = date(2023, 1, 4)
    close_ms = JAN4 + 16 * 3_600_000
    _place(tmp_path, grouped_daily_request(day), {"status": "OK", "results": [
        _bar(close_ms, T="A"), _bar(close_ms, T="B"), _bar(close_ms, T="B", c=12.0), _bar(JAN3, T="C"),
    ]})
    result = fetch_grouped_bars(HttpClient(source_root=tmp_path), day, "k")
    assert [r["ticker"] for r in result.rows] == ["A"]
    reasons = sorted(e.reason for e in result.rejected)
    assert reasons == ["bar C is dated 2023-01-03, expected 2023-01-04",
                       "two or more bars for B on 2023-01-04", "two or more bars for B on 2023-01-04"]
    assert len({e.document for e in result.rejected}) == 3  # each bad bar has its own quarantine key


def test_real_payloads_give_the_same_rows_as_the_strict_clients(tmp_path, shared_fixtures):
    real = json.loads((shared_fixtures / "polygon" / "aggs_AAPL_1day_2023-01-01_2023-01-10.json").read_text())
    _place(tmp_path, daily_aggs_request("AAPL", START, END), real)
    day = date(2020, 10, 14)
    mock = json.loads((shared_fixtures / "polygon" / "grouped_daily.mock.json").read_bytes())
    _place(tmp_path, grouped_daily_request(day), mock)
    client = HttpClient(source_root=tmp_path)
    lenient = fetch_daily_bars(client, "AAPL", START, END, "k")
    assert not lenient.rejected and lenient.rows == fetch_daily_aggs(client, "AAPL", START, END, "k")
    assert len(lenient.rows) == 6 and lenient.rows[-1]["close"] == 130.73
    grouped = fetch_grouped_bars(client, day, "k")
    assert not grouped.rejected and grouped.rows == fetch_grouped_daily(client, day, "k")
