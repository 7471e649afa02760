"""Polygon daily aggregates and grouped daily: real payloads, malformed ones, pagination, and faults."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from tests.support.mirror_server import MirrorServer, body, delay, status, truncate
from valuation_platform.sources.errors import FetchError, SourceError
from valuation_platform.sources.http import HttpClient, mirror_relpath
from valuation_platform.sources.polygon.aggregates import (
    AGGS_SCHEMA,
    aggs_frame,
    daily_aggs_request,
    fetch_daily_aggs,
    fetch_grouped_daily,
    grouped_daily_request,
    parse_daily_aggs,
    parse_grouped_daily,
    split_next_url,
)

START, END = date(2023, 1, 1), date(2023, 1, 10)
KEY = "sekret-key"


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def _payload(**overrides) -> bytes:
    payload = {
        "ticker": "AAPL",
        "status": "OK",
        "results": [
            {"v": 100.0, "vw": 10.5, "o": 10.0, "c": 11.0, "h": 11.2, "l": 9.9, "t": 1672722000000, "n": 7},
            {"v": 200.0, "vw": 11.5, "o": 11.0, "c": 12.0, "h": 12.5, "l": 10.8, "t": 1672808400000, "n": 9},
        ],
    }
    payload.update(overrides)
    return json.dumps(payload).encode()


# -- parsing --------------------------------------------------------------------------------------
def test_real_aapl_response(shared_fixtures):
    rows = parse_daily_aggs(
        (shared_fixtures / "polygon" / "aggs_AAPL_1day_2023-01-01_2023-01-10.json").read_bytes(),
        "aapl",
        ticker="AAPL",
    )
    assert [r["trade_date"] for r in rows] == [
        date(2023, 1, 3),
        date(2023, 1, 4),
        date(2023, 1, 5),
        date(2023, 1, 6),
        date(2023, 1, 9),
        date(2023, 1, 10),
    ]
    assert rows[0] == {
        "ticker": "AAPL",
        "trade_date": date(2023, 1, 3),
        "open": 130.28,
        "high": 130.9,
        "low": 124.17,
        "close": 125.07,
        "volume": 112117471.0,
        "vwap": 125.725,
        "transactions": 1021065,
    }
    frame = aggs_frame(rows)
    assert frame.schema == pl.Schema(AGGS_SCHEMA)
    assert frame["close"].to_list() == [125.07, 126.36, 125.02, 129.62, 130.15, 130.73]


def test_official_mocks(shared_fixtures):
    rows = parse_daily_aggs(
        (shared_fixtures / "polygon" / "aggs_AAPL_1day_2005-04-01_2005-04-04.mock.json").read_bytes(), "m"
    )
    assert [(r["trade_date"], r["close"], r["transactions"]) for r in rows] == [
        (date(2005, 4, 1), 1.4604, 82132),
        (date(2005, 4, 4), 1.4675, 65543),
    ]
    grouped = (shared_fixtures / "polygon" / "grouped_daily.mock.json").read_bytes()
    # t = 1602705600000 is 16:00 New York on 2020-10-14: grouped bars carry the close time
    assert parse_grouped_daily(grouped, "g", day=date(2020, 10, 14)) == [
        {
            "ticker": "GIK",
            "trade_date": date(2020, 10, 14),
            "open": 9.99,
            "high": 10.02,
            "low": 9.9,
            "close": 10.02,
            "volume": 895345.0,
            "vwap": 9.9979,
            "transactions": 96,
        }
    ]
    with pytest.raises(SourceError, match="dated 2020-10-14, expected 2020-10-15") as err:
        parse_grouped_daily(grouped, "g", day=date(2020, 10, 15))
    assert err.value.field == "results[0].t"


def test_optional_vwap_and_transactions_become_none():
    payload = json.loads(_payload())
    del payload["results"][1]["vw"], payload["results"][1]["n"]
    rows = parse_daily_aggs(json.dumps(payload).encode(), "d")
    assert (rows[1]["vwap"], rows[1]["transactions"], rows[1]["close"]) == (None, None, 12.0)


def test_no_results_is_an_empty_list():
    assert (
        parse_daily_aggs(b'{"ticker":"AAPL","queryCount":0,"resultsCount":0,"status":"OK","count":0}', "d")
        == []
    )
    assert parse_grouped_daily(b'{"queryCount":0,"resultsCount":0,"adjusted":true,"status":"OK"}', "g") == []


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        (b'{"status":"ERROR","error":"Unknown API Key"}', "status", "Unknown API Key"),
        (b'{"status":"NOT_AUTHORIZED","message":"upgrade your plan"}', "status", "upgrade your plan"),
        (b"[1, 2]", None, "expected a JSON object"),
        (b'{"ticker":"AAPL","status":"OK","results":{"o":1}}', "results", "expected a list"),
        (_payload(ticker="MSFT"), "ticker", "payload is for MSFT, expected AAPL"),
        (
            b'{"ticker":"AAPL","status":"OK","results":[{"o":1,"h":1,"l":1,"c":1,"v":1}]}',
            "results[0].t",
            "timestamp",
        ),
        (
            b'{"ticker":"AAPL","status":"OK","results":[{"o":1,"h":1,"l":1,"v":1,"t":1672808400000}]}',
            "results[0].c",
            "bar AAPL 2023-01-04 has no 'c'",
        ),
        (
            b'{"ticker":"AAPL","status":"OK","results":[{"o":"1","h":1,"l":1,"c":1,"v":1,"t":1672808400000}]}',
            "results[0].o",
            "not a finite number",
        ),
        (
            b'{"ticker":"AAPL","status":"OK","results":[{"o":NaN,"h":1,"l":1,"c":1,"v":1,"t":1672808400000}]}',
            "results[0].o",
            "not a finite number",
        ),
        (
            b'{"ticker":"AAPL","status":"OK","results":[{"o":1,"h":1,"l":1,"c":1,"v":-5,"t":1672808400000}]}',
            "results[0].v",
            "negative volume",
        ),
        (
            b'{"ticker":"AAPL","status":"OK","results":[{"o":1,"h":1,"l":1,"c":true,"v":1,"t":1672808400000}]}',
            "results[0].c",
            "not a finite number",
        ),
        (b'{"ticker":"AAPL","status":"OK","results":["bar"]}', "results[0]", "not an object"),
        (b"{not json", None, "malformed JSON"),
    ],
)
def test_malformed_payloads_raise_naming_the_field(payload, field, message):
    with pytest.raises(SourceError, match=message) as err:
        parse_daily_aggs(payload, "api.polygon.io/v2/aggs/ticker/AAPL/range/1/day/x/y", ticker="AAPL")
    assert err.value.field == field
    assert err.value.source == "polygon" and "AAPL/range" in err.value.document


def test_grouped_bar_without_ticker_or_duplicated():
    bar = {"v": 1, "o": 1, "c": 1, "h": 1, "l": 1, "t": 1602705600000}
    with pytest.raises(SourceError) as err:
        parse_grouped_daily(json.dumps({"status": "OK", "results": [bar]}).encode(), "g")
    assert err.value.field == "results[0].T"
    twice = json.dumps({"status": "OK", "results": [{"T": "A", **bar}, {"T": "A", **bar}]}).encode()
    with pytest.raises(SourceError, match="two bars for A on 2020-10-14"):
        parse_grouped_daily(twice, "g")


def test_requests_are_deterministic_and_keyless():
    url, params = daily_aggs_request("BRK.A", START, END)
    assert mirror_relpath(url, params) == (
        "api.polygon.io/v2/aggs/ticker/BRK.A/range/1/day/2023-01-01/2023-01-10?adjusted=true&limit=50000&sort=asc"
    )
    url, params = grouped_daily_request(date(2023, 1, 3))
    assert (
        mirror_relpath(url, params)
        == "api.polygon.io/v2/aggs/grouped/locale/us/market/stocks/2023-01-03?adjusted=true"
    )


def test_split_next_url_drops_any_key():
    url, params = split_next_url(
        "https://api.polygon.io/v2/aggs/ticker/AAPL/range/1/day/a/b?cursor=Zm9v&apiKey=leak"
    )
    assert url == "https://api.polygon.io/v2/aggs/ticker/AAPL/range/1/day/a/b"
    assert params == {"cursor": "Zm9v"}


# -- the client, against a mirror directory and a loopback server ---------------------------------
def _place(root: Path, url: str, params: dict, payload: bytes) -> None:
    path = root / mirror_relpath(url, params)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(payload)


@pytest.fixture
def aapl_mirror(tmp_path: Path, shared_fixtures) -> Path:
    url, params = daily_aggs_request("AAPL", START, END)
    _place(
        tmp_path,
        url,
        params,
        (shared_fixtures / "polygon" / "aggs_AAPL_1day_2023-01-01_2023-01-10.json").read_bytes(),
    )
    url, params = grouped_daily_request(date(2020, 10, 14))
    _place(tmp_path, url, params, (shared_fixtures / "polygon" / "grouped_daily.mock.json").read_bytes())
    return tmp_path


def test_fetch_from_directory_mirror(aapl_mirror):
    client = HttpClient(source_root=aapl_mirror)
    rows = fetch_daily_aggs(client, "AAPL", START, END, KEY)
    assert len(rows) == 6 and rows[-1]["close"] == 130.73
    assert [r["ticker"] for r in fetch_grouped_daily(client, date(2020, 10, 14), KEY)] == ["GIK"]


def test_fetch_over_http_sends_the_key_and_survives_429_5xx_truncation(aapl_mirror):
    with MirrorServer(aapl_mirror) as server:
        server.add_faults("/range/1/day/", status(429, retry_after="1"), status(503), truncate())
        sleeps = Sleeps()
        client = HttpClient(source_root=server.url, sleep=sleeps, backoff_base=0.01)
        rows = fetch_daily_aggs(client, "AAPL", START, END, KEY)
        assert [r["close"] for r in rows] == [125.07, 126.36, 125.02, 129.62, 130.15, 130.73]
        hits = [p for _, p, _ in server.requests if "/range/1/day/" in p]
        assert len(hits) == 4  # 429, 503, truncated, then the real body
        assert all(f"apiKey={KEY}" in p for p in hits)
        assert 1.0 in sleeps  # Retry-After honoured


def test_timeout_then_success(aapl_mirror):
    with MirrorServer(aapl_mirror) as server:
        server.add_faults("/grouped/", delay(1.0))
        client = HttpClient(source_root=server.url, sleep=Sleeps(), read_timeout=0.3, backoff_base=0.01)
        assert fetch_grouped_daily(client, date(2020, 10, 14), KEY)[0]["ticker"] == "GIK"
        assert len(server.hits("/grouped/")) == 2


def test_malformed_json_over_http_is_a_source_error(aapl_mirror):
    with MirrorServer(aapl_mirror) as server:
        server.add_faults("/range/1/day/", body(b'{"ticker":"AAPL","results":[{"o":'))
        client = HttpClient(source_root=server.url, sleep=Sleeps())
        with pytest.raises(SourceError, match="malformed JSON") as err:
            fetch_daily_aggs(client, "AAPL", START, END, KEY)
        assert err.value.source == "polygon" and "2023-01-01/2023-01-10" in err.value.document
        assert KEY not in str(err.value)


def test_persistent_5xx_gives_up_with_fetch_error(aapl_mirror):
    with MirrorServer(aapl_mirror) as server:
        server.add_faults("/range/1/day/", *[status(500)] * 3)
        client = HttpClient(source_root=server.url, sleep=Sleeps(), max_retries=2, backoff_base=0.01)
        with pytest.raises(FetchError, match="HTTP 500"):
            fetch_daily_aggs(client, "AAPL", START, END, KEY)


def test_next_url_pagination_over_http(tmp_path):
    url, params = daily_aggs_request("AAPL", START, END)
    page1 = json.loads(_payload())
    page1["next_url"] = f"{url}?cursor=cGFnZTI&apiKey=should-not-be-reused"
    _place(tmp_path, url, params, json.dumps(page1).encode())
    page2 = json.loads(_payload())
    page2["results"] = [{"v": 300.0, "o": 12.0, "c": 12.5, "h": 13.0, "l": 11.9, "t": 1672894800000}]
    _place(tmp_path, url, {"cursor": "cGFnZTI"}, json.dumps(page2).encode())
    with MirrorServer(tmp_path) as server:
        rows = fetch_daily_aggs(HttpClient(source_root=server.url, sleep=Sleeps()), "AAPL", START, END, KEY)
        cursor_hits = [p for _, p, _ in server.requests if "cursor=" in p]
    assert [r["trade_date"] for r in rows] == [date(2023, 1, 3), date(2023, 1, 4), date(2023, 1, 5)]
    assert rows[2]["vwap"] is None
    assert len(cursor_hits) == 1 and f"apiKey={KEY}" in cursor_hits[0] and "should-not" not in cursor_hits[0]


def test_pages_repeating_a_bar_or_looping_raise(tmp_path):
    url, params = daily_aggs_request("AAPL", START, END)
    page1 = json.loads(_payload())
    page1["next_url"] = f"{url}?cursor=again"
    _place(tmp_path, url, params, json.dumps(page1).encode())
    _place(tmp_path, url, {"cursor": "again"}, _payload())  # the same two bars again
    with pytest.raises(SourceError, match="two bars for AAPL on 2023-01-03"):
        fetch_daily_aggs(HttpClient(source_root=tmp_path), "AAPL", START, END, KEY)
    looping = json.loads(_payload())
    looping["next_url"] = f"{url}?cursor=again"
    _place(tmp_path, url, {"cursor": "again"}, json.dumps(looping).encode())
    with pytest.raises(SourceError, match="already read"):
        fetch_daily_aggs(HttpClient(source_root=tmp_path), "AAPL", START, END, KEY)
