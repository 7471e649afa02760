"""Benzinga analyst ratings: the real page, page-until-short pagination, bad records, faults."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tests.support.mirror_server import MirrorServer, body, status, truncate
from valuation_platform.sources.benzinga.ratings import (
    fetch_ratings,
    parse_ratings,
    ratings_request,
    unknown_rating_strings,
)
from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.http import HttpClient, mirror_relpath

FROM, TO = date(2023, 5, 1), date(2024, 1, 12)
TOKEN = "bz-token"


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def real_page(shared_fixtures) -> bytes:
    return (shared_fixtures / "benzinga" / "calendar_ratings_AAPL_2024-01-12.json").read_bytes()


def test_real_page(real_page):
    rows = parse_ratings(real_page, "aapl")
    assert len(rows) == 100
    assert rows[0] == {
        "ticker": "AAPL",
        "rating_date": date(2024, 1, 10),
        "firm": "Redburn Atlantic",
        "analyst": "James Cordwell",
        "action": "Downgrades",
        "rating": "Neutral",
        "rating_numeric": 3,
        "prior_rating": "Buy",
        "price_target": 200.0,
        "prior_price_target": None,
        "adjusted_price_target": 200.0,
        "price_target_action": "Announces",
        "rating_id": "659e84b3b02d4100013258aa",
    }
    last = rows[-1]
    assert (
        last["firm"],
        last["analyst"],
        last["price_target"],
        last["prior_price_target"],
        last["prior_rating"],
    ) == ("B of A Securities", "Wamsi Mohan", 173.0, 168.0, None)
    assert all(r["rating_numeric"] is not None for r in rows)
    assert unknown_rating_strings(rows) == set()
    assert sum(r["action"] == "Downgrades" for r in rows) == 8


def test_unknown_rating_is_none_and_reported(real_page):
    payload = json.loads(real_page)
    payload["ratings"][3]["rating_current"] = "Tactical Long"
    payload["ratings"][4]["rating_prior"] = "Speculative"
    rows = parse_ratings(json.dumps(payload).encode(), "d")
    assert rows[3]["rating"] == "Tactical Long" and rows[3]["rating_numeric"] is None
    assert unknown_rating_strings(rows) == {"Tactical Long", "Speculative"}


@pytest.mark.parametrize("payload", [b"[]", b"{}", b'{"ratings": []}'])
def test_empty_answers(payload):
    assert parse_ratings(payload, "d") == []


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"id": ""}, "ratings[0].id", "without an id"),
        ({"date": "01/10/2024"}, "ratings[0].date", "not an ISO date"),
        ({"ticker": None}, "ratings[0].ticker", "has no ticker"),
        ({"analyst": ""}, "ratings[0].analyst", "has no analyst"),
        ({"pt_current": "two hundred"}, "ratings[0].pt_current", "not a price"),
        ({"pt_prior": "-5"}, "ratings[0].pt_prior", "bad price"),
    ],
)
def test_bad_records_raise_naming_the_record(real_page, change, field, message):
    payload = json.loads(real_page)
    payload["ratings"][0].update(change)
    with pytest.raises(SourceError, match=message) as err:
        parse_ratings(json.dumps(payload).encode(), "d")
    assert err.value.field == field and err.value.source == "benzinga"


@pytest.mark.parametrize(
    ("payload", "message"),
    [(b'"x"', "expected an object"), (b'{"ratings": 3}', "expected a list"), (b"<xml/>", "malformed JSON")],
)
def test_bad_pages_raise(payload, message):
    with pytest.raises(SourceError, match=message):
        parse_ratings(payload, "d")


def _paged_mirror(root: Path, records: list, pagesize: int) -> int:
    """Write ``records`` as Benzinga pages of ``pagesize``; returns how many pages a client must read."""
    page = 0
    while True:
        chunk = records[page * pagesize : (page + 1) * pagesize]
        url, params = ratings_request("AAPL", FROM, TO, page=page, pagesize=pagesize)
        path = root / mirror_relpath(url, params)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(json.dumps({"ratings": chunk} if chunk else []).encode())
        page += 1
        if len(chunk) < pagesize:
            return page


def test_pages_until_a_short_page_over_http(tmp_path, real_page):
    records = json.loads(real_page)["ratings"]
    assert _paged_mirror(tmp_path, records, 40) == 3  # 40 + 40 + 20
    with MirrorServer(tmp_path) as server:
        server.add_faults("page=1&", status(429, retry_after="1"), truncate())
        sleeps = Sleeps()
        client = HttpClient(source_root=server.url, sleep=sleeps, backoff_base=0.01)
        rows = fetch_ratings(client, "AAPL", FROM, TO, TOKEN, pagesize=40)
        assert [r["rating_id"] for r in rows] == [r["id"] for r in records]
        assert 1.0 in sleeps
        paths = [p for _, p, _ in server.requests]
        assert len(paths) == 5  # page 0, page 1 x3 (429, truncated, ok), page 2
        assert all(f"token={TOKEN}" in p for p in paths)
        assert all(h.get("Accept") == "application/json" for _, _, h in server.requests)


def test_a_full_last_page_needs_one_more_request(tmp_path, real_page):
    records = json.loads(real_page)["ratings"]
    assert _paged_mirror(tmp_path, records, 50) == 3  # 50 + 50 + empty
    rows = fetch_ratings(HttpClient(source_root=tmp_path), "AAPL", FROM, TO, TOKEN, pagesize=50)
    assert len(rows) == 100


def test_5xx_then_malformed_page(tmp_path, real_page):
    records = json.loads(real_page)["ratings"]
    _paged_mirror(tmp_path, records, 1000)
    with MirrorServer(tmp_path) as server:
        server.add_faults("calendar/ratings", status(503))
        client = HttpClient(source_root=server.url, sleep=Sleeps(), backoff_base=0.01)
        assert len(fetch_ratings(client, "AAPL", FROM, TO, TOKEN)) == 100
        server.add_faults("calendar/ratings", body(b'{"ratings": [{"id": '))
        with pytest.raises(SourceError, match="malformed JSON") as err:
            fetch_ratings(client, "AAPL", FROM, TO, TOKEN)
        assert TOKEN not in str(err.value) and "parameters%5Btickers%5D=AAPL" in err.value.document
