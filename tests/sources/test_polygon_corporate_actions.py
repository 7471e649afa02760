"""Polygon /v3/reference/splits and /v3/reference/dividends: the real client mocks, pagination, bad records."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tests.support.mirror_server import MirrorServer, status
from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.http import HttpClient, mirror_relpath
from valuation_platform.sources.polygon.corporate_actions import (
    fetch_splits,
    parse_dividends,
    parse_splits,
    splits_request,
)

KEY = "ref-key"


def test_real_splits_page(shared_fixtures: Path) -> None:
    result = parse_splits((shared_fixtures / "polygon" / "reference_splits.mock.json").read_bytes(), "splits")
    assert result.rejected == []
    assert len(result.rows) == 10
    # Alphabet's 20-for-1 of 2022-07-18, both share classes; BRW's 1-for-2 reverse split; CIG.C's 3-for-4
    assert result.rows[:2] == [
        {"ticker": "GOOGL", "execution_date": date(2022, 7, 18), "split_from": 1.0, "split_to": 20.0, "polygon_id": None},
        {"ticker": "GOOG", "execution_date": date(2022, 7, 18), "split_from": 1.0, "split_to": 20.0, "polygon_id": None},
    ]
    by_ticker = {(r["ticker"], r["execution_date"]): (r["split_from"], r["split_to"]) for r in result.rows}
    assert by_ticker[("BRW", date(2022, 5, 20))] == (2.0, 1.0)
    assert by_ticker[("CIG.C", date(2022, 5, 2))] == (3.0, 4.0)
    assert [d for t, d in by_ticker if t == "SHOP"] == [date(2022, 6, 29), date(2022, 6, 22)]  # two SHOP rows


def test_real_dividends_page(shared_fixtures: Path) -> None:
    raw = json.loads((shared_fixtures / "polygon" / "reference_dividends.mock.json").read_bytes())
    result = parse_dividends(json.dumps(raw).encode(), "dividends")
    assert result.rejected == [] and len(result.rows) == len(raw["results"])
    assert result.rows[0] == {
        "ticker": "CSSEN", "ex_dividend_date": date(2025, 6, 12), "dividend_type": "CD", "cash_amount": 0.59375,
        "currency": None, "declaration_date": date(2020, 9, 9), "record_date": date(2025, 6, 15),
        "pay_date": date(2025, 6, 30), "frequency": 4, "polygon_id": None,
    }


def test_a_bad_record_is_set_aside_and_a_bad_status_fails_the_page() -> None:
    page = {"status": "OK", "results": [
        {"execution_date": "2020-08-31", "split_from": 1, "split_to": 4, "ticker": "AAPL"},
        {"execution_date": "2020-08-31", "split_from": 0, "split_to": 4, "ticker": "BAD"},
        {"execution_date": "31/08/2020", "split_from": 1, "split_to": 4, "ticker": "WORSE"},
        {"execution_date": "2020-08-31", "split_from": 1, "split_to": 5},
    ]}
    result = parse_splits(json.dumps(page).encode(), "splits")
    assert [r["ticker"] for r in result.rows] == ["AAPL"]
    assert [(e.document, e.field) for e in result.rejected] == [
        ("splits#results[1]", "results[1]"), ("splits#results[2]", "results[2]"), ("splits#results[3]", "results[3]")]
    assert "split_from" in result.rejected[0].reason
    with pytest.raises(SourceError, match="NOT_AUTHORIZED"):
        parse_splits(json.dumps({"status": "NOT_AUTHORIZED", "message": "plan"}).encode(), "splits")


def test_pages_are_followed_through_next_url_with_retries(tmp_path: Path) -> None:
    """Two pages joined by next_url (the key never taken from the payload), the second after a 429."""
    url, params = splits_request()
    first = tmp_path / mirror_relpath(url, params)
    second_params = {"cursor": "c2", "limit": 1000}
    second = tmp_path / mirror_relpath(url, second_params)
    first.parent.mkdir(parents=True)
    first.write_text(json.dumps({"status": "OK", "next_url": f"{url}?cursor=c2&limit=1000&apiKey=LEAKED", "results": [
        {"execution_date": "2020-08-31", "split_from": 1, "split_to": 4, "ticker": "AAPL"}]}))
    second.write_text(json.dumps({"status": "OK", "results": [
        {"execution_date": "2020-08-31", "split_from": 1, "split_to": 5, "ticker": "TSLA"}]}))
    with MirrorServer(tmp_path) as server:
        server.add_faults("cursor=", status(429, retry_after="0"))
        result = fetch_splits(HttpClient(source_root=server.url, sleep=lambda _: None, backoff_base=0.01), KEY)
        requested = [p for _, p, _ in server.requests]
    assert [r["ticker"] for r in result.rows] == ["AAPL", "TSLA"]
    assert len(result.documents) == 2
    assert all(f"apiKey={KEY}" in p and "LEAKED" not in p for p in requested)
