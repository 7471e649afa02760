"""NSE option-chain parser on the real BANKNIFTY payload, bad payloads, the client over a loopback server."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.support.mirror_server import MirrorServer, status
from valuation_platform.generator.options import write_option_chains
from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.nse.option_chain import fetch_nse_chain, parse_nse_option_chain

FIXTURE = (
    Path(__file__).resolve().parents[2]
    / ".."
    / "shared"
    / "fixtures"
    / "nse"
    / "option_chain_BANKNIFTY_2020-05-14.json"
)
ROW_KEYS = {
    "underlying",
    "snapshot_ts",
    "expiry",
    "strike",
    "option_type",
    "contract_symbol",
    "last_price",
    "bid",
    "ask",
    "volume",
    "open_interest",
    "oi_change",
    "underlying_price",
    "provider_iv",
}


@pytest.fixture(scope="module")
def real_rows():
    if not FIXTURE.is_file():
        pytest.skip("../shared/fixtures is not available")
    return parse_nse_option_chain(FIXTURE.read_bytes(), document=FIXTURE.name)


def test_real_payload_one_row_per_contract(real_rows):
    raw = json.loads(FIXTURE.read_bytes())["records"]["data"]
    both = sum(1 for e in raw if "CE" in e and "PE" in e)
    one = sum(1 for e in raw if ("CE" in e) != ("PE" in e))
    assert (both, one) == (560, 74)
    assert len(real_rows) == 2 * both + one == 1194
    assert all(set(row) == ROW_KEYS for row in real_rows)
    assert Counter(r["option_type"] for r in real_rows) == {"CE": 602, "PE": 592}
    assert {r["expiry"] for r in real_rows} == {
        date(2020, 5, 14),
        date(2020, 5, 21),
        date(2020, 5, 28),
        date(2020, 6, 4),
        date(2020, 6, 11),
    }
    assert {r["underlying"] for r in real_rows} == {"BANKNIFTY"}
    # 14-May-2020 15:30:00 in Asia/Kolkata is 10:00 UTC.
    assert {r["snapshot_ts"] for r in real_rows} == {datetime(2020, 5, 14, 10, 0, tzinfo=UTC)}


def test_real_payload_contract_values(real_rows):
    by_key = {(r["expiry"], r["strike"], r["option_type"]): r for r in real_rows}
    traded = by_key[(date(2020, 5, 28), 13900.0, "PE")]
    assert traded["last_price"] == 17.75 and traded["bid"] == 15.5 and traded["ask"] == 17.5
    assert traded["volume"] == 58 and traded["open_interest"] == 208 and traded["oi_change"] == 16
    assert traded["provider_iv"] == pytest.approx(0.8033)
    assert traded["underlying_price"] == 19068.5
    assert traded["contract_symbol"] == "OPTIDXBANKNIFTY28-05-2020PE13900.00"
    untraded = by_key[(date(2020, 5, 14), 13900.0, "CE")]
    assert untraded["last_price"] is None and untraded["provider_iv"] is None  # 0 on NSE
    assert untraded["bid"] == 5097.45 and untraded["ask"] == 5245.55 and untraded["volume"] == 0
    zero_iv = [r for r in real_rows if r["provider_iv"] is None]
    assert len(zero_iv) > 100 and all(isinstance(r["strike"], float) for r in real_rows)


def _payload(**records_override):
    entry = {
        "strikePrice": 100,
        "expiryDate": "28-May-2020",
        "CE": {
            "underlying": "X",
            "lastPrice": 1,
            "openInterest": 1,
            "totalTradedVolume": 1,
            "impliedVolatility": 20,
            "underlyingValue": 101,
        },
    }
    records = {
        "expiryDates": ["28-May-2020"],
        "timestamp": "14-May-2020 15:30:00",
        "underlyingValue": 101,
        "data": [entry],
    }
    records.update(records_override)
    return json.dumps({"records": records}).encode()


def test_minimal_payload_parses():
    [row] = parse_nse_option_chain(_payload(), document="x")
    assert row["provider_iv"] == pytest.approx(0.20) and row["bid"] is None and row["oi_change"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"{}", None),
        (b"<html>Access Denied</html>", None),
        (json.dumps({"filtered": {}}).encode(), "records"),
        (_payload(timestamp="2020-05-14T15:30:00"), "records.timestamp"),
        (
            _payload(data=[{"strikePrice": 100, "expiryDate": "2020-05-28", "CE": {}}]),
            "records.data[0].expiryDate",
        ),
        (_payload(data=[{"strikePrice": "abc", "expiryDate": "28-May-2020"}]), "records.data[0].strikePrice"),
        (
            _payload(data=[{"strikePrice": 100, "expiryDate": "28-May-2020", "PE": {"lastPrice": "n/a"}}]),
            "records.data[0].PE.lastPrice",
        ),
        (_payload(data="nope"), "records.data"),
    ],
)
def test_bad_payloads_raise_source_error_naming_the_field(body, field):
    with pytest.raises(SourceError) as err:
        parse_nse_option_chain(body, document="option-chain-indices?symbol=X", symbol="X")
    assert err.value.source == "nse" and err.value.document == "option-chain-indices?symbol=X"
    assert err.value.field == field


def test_client_retries_a_429_then_reads_the_mirror(tmp_path):
    write_option_chains(
        tmp_path, date(2024, 5, 14), nse_symbols=("BANKNIFTY",), nse_equities=("RELIANCE",), us_tickers=()
    )
    expected = fetch_nse_chain(HttpClient(source_root=tmp_path), "BANKNIFTY", "indices")
    sleeps: list[float] = []
    with MirrorServer(tmp_path) as server:
        server.add_faults("option-chain-indices", status(429, retry_after="1"))
        client = HttpClient(source_root=server.url, sleep=sleeps.append)
        rows = fetch_nse_chain(client, "BANKNIFTY", "indices")
        equities = fetch_nse_chain(client, "RELIANCE", "equities")
        hits = server.hits("option-chain-indices")
        paths = [p for _, p, _ in server.requests]
    assert len(hits) == 2 and 1.0 in sleeps  # honoured Retry-After: 1
    assert rows == expected and len(rows) > 500
    assert "/www.nseindia.com/api/option-chain-indices?symbol=BANKNIFTY" in paths
    assert "/www.nseindia.com/api/option-chain-equities?symbol=RELIANCE" in paths
    assert {r["underlying"] for r in equities} == {"RELIANCE"}
    assert all(r["contract_symbol"].startswith("OPTSTKRELIANCE") for r in equities)


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        fetch_nse_chain(HttpClient(source_root="/nonexistent"), "NIFTY", "futures")  # type: ignore[arg-type]
