"""Polygon options snapshot parser on the official mocks, pagination, errors, and the client with a 429."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.support.mirror_server import MirrorServer, status
from valuation_platform.generator.options import synthetic_chain, write_option_chains
from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.polygon.options_snapshot import (
    fetch_polygon_chain,
    parse_polygon_options_snapshot,
)

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "polygon"
SNAPSHOT_DAY = date(2024, 5, 16)


def _fixture(name: str) -> bytes:
    path = FIXTURES / name
    if not path.is_file():
        pytest.skip("../shared/fixtures is not available")
    return path.read_bytes()


@pytest.mark.parametrize(
    "name", ["options_snapshot_AAPL.mock.json", "options_snapshot_O_AAPL230616C00150000.mock.json"]
)
def test_official_mocks_parse(name):
    rows, next_url = parse_polygon_options_snapshot(_fixture(name), document=name)
    assert next_url is None
    assert rows == [
        {
            "underlying": "AAPL",
            # underlying_asset.last_updated = 1651254263172073152 ns
            "snapshot_ts": datetime(2022, 4, 29, 17, 44, 23, 172073, tzinfo=UTC),
            "expiry": date(2023, 6, 16),
            "strike": 150.0,
            "option_type": "C",
            "contract_symbol": "O:AAPL230616C00150000",
            "last_price": 29.25,
            "bid": 28.9,
            "ask": 29.25,
            "volume": 8,
            "open_interest": 8133,
            "oi_change": None,
            "underlying_price": 159.9606,
            "provider_iv": pytest.approx(0.3570277203465058),
        }
    ]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"status": "ERROR", "error": "Unknown API Key"}, "status"),
        ({"status": "OK", "results": "x"}, "results"),
        (
            {"status": "OK", "results": [{"details": {"contract_type": "future"}}]},
            "results[0].details.contract_type",
        ),
        (
            {
                "status": "OK",
                "results": [
                    {"details": {"contract_type": "put", "expiration_date": "16/06/2023", "strike_price": 1}}
                ],
            },
            "results[0].details.expiration_date",
        ),
        (
            {
                "status": "OK",
                "results": [
                    {
                        "details": {
                            "contract_type": "put",
                            "expiration_date": "2023-06-16",
                            "strike_price": 1,
                        },
                        "open_interest": "many",
                        "underlying_asset": {"ticker": "A", "last_updated": 1},
                    }
                ],
            },
            "results[0].open_interest",
        ),
        (
            {
                "status": "OK",
                "results": [
                    {
                        "details": {
                            "contract_type": "put",
                            "expiration_date": "2023-06-16",
                            "strike_price": 1,
                        },
                        "underlying_asset": {"ticker": "A"},
                    }
                ],
            },
            "results[].underlying_asset.last_updated",
        ),
    ],
)
def test_bad_payloads_raise_source_error(payload, field):
    with pytest.raises(SourceError) as err:
        parse_polygon_options_snapshot(json.dumps(payload).encode(), document="doc")
    assert err.value.source == "polygon" and err.value.field == field


def test_pagination_over_a_directory_mirror(tmp_path):
    chain = synthetic_chain("KBVC", "us", SNAPSHOT_DAY)
    write_option_chains(tmp_path, SNAPSHOT_DAY, nse_symbols=(), nse_equities=(), us_tickers=("KBVC",))
    pages = sorted((tmp_path / "api.polygon.io" / "v3" / "snapshot" / "options").iterdir())
    assert len(pages) >= 2  # the chain needs more than one 250-contract page
    rows = fetch_polygon_chain(HttpClient(source_root=tmp_path), "KBVC", "secret-key")
    assert len(rows) == len(chain)
    assert len({r["contract_symbol"] for r in rows}) == len(rows)
    assert {r["snapshot_ts"] for r in rows} == {chain.snapshot_ts}
    assert {r["option_type"] for r in rows} == {"C", "P"}
    untraded = [r for r in rows if r["last_price"] is None]
    assert untraded and all(r["provider_iv"] is None and r["volume"] == 0 for r in untraded)
    assert not any("secret-key" in p.name for p in pages)


def test_client_retries_429_on_a_cursor_page_and_sends_the_key(tmp_path):
    write_option_chains(tmp_path, SNAPSHOT_DAY, nse_symbols=(), nse_equities=(), us_tickers=("KBVC",))
    expected = fetch_polygon_chain(HttpClient(source_root=tmp_path), "KBVC", "k")
    sleeps: list[float] = []
    with MirrorServer(tmp_path) as server:
        server.add_faults("cursor=", status(429, retry_after="1"))
        rows = fetch_polygon_chain(HttpClient(source_root=server.url, sleep=sleeps.append), "KBVC", "my-key")
        requests = [p for _, p, _ in server.requests]
    assert rows == expected
    assert 1.0 in sleeps
    assert requests[0] == "/api.polygon.io/v3/snapshot/options/KBVC?limit=250&apiKey=my-key"
    cursor_requests = [p for p in requests if "cursor=" in p]
    assert len(cursor_requests) >= 3  # two pages after the first, one of them retried
    assert all("apiKey=my-key" in p for p in requests)


def test_next_url_off_host_is_refused(tmp_path):
    page = {
        "status": "OK",
        "results": [],
        "next_url": "https://evil.example/v3/snapshot/options/KBVC?cursor=x",
    }
    path = tmp_path / "api.polygon.io" / "v3" / "snapshot" / "options" / "KBVC?limit=250"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(page))
    with pytest.raises(SourceError, match="off api.polygon.io"):
        fetch_polygon_chain(HttpClient(source_root=tmp_path), "KBVC", "k")
