"""The shared HTTP layer against a loopback server speaking real HTTP, faults included."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from tests.support.mirror_server import MirrorServer, body, delay, status, truncate
from valuation_platform.sources.errors import FetchError, SourceError
from valuation_platform.sources.http import HttpClient, mirror_relpath, parse_retry_after

URL = "https://data.sec.gov/api/xbrl/companyfacts/CIK0000000042.json"


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    path = tmp_path / mirror_relpath(URL)
    path.parent.mkdir(parents=True)
    path.write_bytes(json.dumps({"cik": 42, "facts": {}, "pad": "x" * 4000}).encode())
    return tmp_path


@pytest.fixture
def server(mirror: Path):
    with MirrorServer(mirror) as srv:
        yield srv


def client_for(server: MirrorServer, **kw) -> tuple[HttpClient, Sleeps]:
    sleeps = Sleeps()
    kw.setdefault("backoff_base", 0.01)
    return HttpClient(source_root=server.url, sleep=sleeps, **kw), sleeps


def test_mirror_relpath_drops_secrets_and_sorts_query() -> None:
    rel = mirror_relpath("https://api.polygon.io/v2/reference/news", {"ticker": "AAPL", "apiKey": "s3cret", "limit": 50})
    assert rel == "api.polygon.io/v2/reference/news?limit=50&ticker=AAPL"


def test_directory_mirror_reads_file_and_gzip_sibling(mirror: Path) -> None:
    client = HttpClient(source_root=mirror)
    assert client.get_json(URL, source="sec")["cik"] == 42
    plain = mirror / mirror_relpath(URL)
    plain.with_name(plain.name + ".gz").write_bytes(gzip.compress(plain.read_bytes()))
    plain.unlink()
    assert client.get_json(URL, source="sec")["cik"] == 42


def test_directory_mirror_missing_is_404(mirror: Path) -> None:
    with pytest.raises(FetchError) as err:
        HttpClient(source_root=mirror).get_bytes(URL.replace("42", "43"), source="sec")
    assert err.value.status == 404 and "CIK0000000043" in str(err.value)


def test_429_honours_retry_after_then_succeeds(server: MirrorServer) -> None:
    server.add_faults("companyfacts", status(429, retry_after="2"), status(429, retry_after="1"))
    client, sleeps = client_for(server)
    assert client.get_json(URL, source="sec")["cik"] == 42
    retry_waits = [s for s in sleeps if s >= 0.5]
    assert retry_waits == [2.0, 1.0]
    assert len(server.hits("companyfacts")) == 3


def test_5xx_backs_off_exponentially_with_jitter(server: MirrorServer) -> None:
    server.add_faults("companyfacts", status(503), status(502), status(500))
    client, sleeps = client_for(server, backoff_base=1.0, backoff_cap=60)
    assert client.get_json(URL, source="sec")["cik"] == 42
    backoffs = [s for s in sleeps if s >= 0.5]
    assert len(backoffs) == 3
    for attempt, wait in enumerate(backoffs):
        assert 2**attempt / 2 <= wait <= 2**attempt  # equal jitter within [ceiling/2, ceiling]


def test_gives_up_after_max_retries_naming_the_document(server: MirrorServer) -> None:
    server.add_faults("companyfacts", *[status(503)] * 4)
    client, _ = client_for(server, max_retries=3)
    with pytest.raises(FetchError) as err:
        client.get_bytes(URL, source="sec")
    assert "CIK0000000042" in err.value.document and "HTTP 503" in str(err.value)
    assert len(server.hits("companyfacts")) == 4


def test_timeout_is_retried(server: MirrorServer) -> None:
    server.add_faults("companyfacts", delay(1.0))
    client, _ = client_for(server, read_timeout=0.3)
    assert client.get_json(URL, source="sec")["cik"] == 42
    assert len(server.hits("companyfacts")) == 2


def test_truncated_body_is_retried_then_reported(server: MirrorServer) -> None:
    server.add_faults("companyfacts", truncate())
    client, _ = client_for(server)
    assert client.get_json(URL, source="sec")["cik"] == 42
    server.add_faults("companyfacts", *[truncate()] * 3)
    client, _ = client_for(server, max_retries=2)
    with pytest.raises(FetchError, match="ChunkedEncodingError|ConnectionError"):
        client.get_bytes(URL, source="sec")


def test_404_is_not_retried(server: MirrorServer) -> None:
    client, _ = client_for(server)
    with pytest.raises(FetchError) as err:
        client.get_bytes(URL.replace("42", "99"), source="sec")
    assert err.value.status == 404
    assert len(server.hits("CIK0000000099")) == 1


def test_malformed_json_is_a_source_error(server: MirrorServer) -> None:
    server.add_faults("companyfacts", body(b'{"cik": 42, "facts": {'))
    client, _ = client_for(server)
    with pytest.raises(SourceError, match="malformed JSON") as err:
        client.get_json(URL, source="sec")
    assert err.value.source == "sec"


def test_gzip_is_negotiated(server: MirrorServer) -> None:
    client, _ = client_for(server)
    client.get_bytes(URL, source="sec")
    _, _, headers = server.requests[-1]
    assert "gzip" in headers.get("Accept-Encoding", "")


def test_rate_limit_spaces_requests_per_host(mirror: Path) -> None:
    url = "https://ratelimit.example/a.json"  # a host no other test uses: the limiter is process-wide
    (mirror / "ratelimit.example").mkdir()
    (mirror / "ratelimit.example" / "a.json").write_text("{}")
    with MirrorServer(mirror) as srv:
        client = HttpClient(source_root=srv.url, rate_limits={"ratelimit.example": 10.0})  # real sleeps
        for _ in range(6):
            client.get_bytes(url, source="test")
        arrivals = srv.hits("a.json")
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:])]
    # 10/s: sends are 0.1 s apart; arrivals are stamped by the server thread, which a loaded machine can delay
    # by tens of ms, so each gap is checked with slack (unlimited, they are ~1 ms) and the total tightly
    assert len(gaps) == 5 and min(gaps) >= 0.05
    assert arrivals[-1] - arrivals[0] >= 0.45


def test_live_sec_requires_a_user_agent() -> None:
    with pytest.raises(FetchError, match="VP_SEC_USER_AGENT"):
        HttpClient(source_root=None).get_bytes(URL, source="sec")


def test_user_agent_is_sent(server: MirrorServer) -> None:
    client, _ = client_for(server, user_agent="Acme Research ops@acme.example")
    client.get_bytes(URL, source="sec")
    assert server.requests[-1][2]["User-Agent"] == "Acme Research ops@acme.example"


def test_parse_retry_after_http_date() -> None:
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == pytest.approx(10.0)
    assert parse_retry_after("soon") is None
