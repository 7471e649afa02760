"""MoSPI eSankhyiki client over a loopback mirror: every product, 5xx and empty-body retries, 404."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.mirror_server import MirrorServer, body, status
from valuation_platform.generator.india import india_macro, write_mospi_mirror
from valuation_platform.sources.errors import FetchError
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.mospi.client import (
    ENDPOINTS,
    fetch_mospi_release,
    fetch_mospi_rows,
    mospi_url,
    release_params,
)


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    root = tmp_path_factory.mktemp("mospi_mirror")
    macro = india_macro(months=26, seed=7)
    _, requests = write_mospi_mirror(root, macro)
    return root, requests


def _client(server: MirrorServer, sleeps: list[float]) -> HttpClient:
    # A very high rate limit makes the per-host limiter's waits negligible: ``sleeps`` shows the backoffs.
    return HttpClient(
        source_root=server.url,
        sleep=sleeps.append,
        backoff_base=0.01,
        max_retries=3,
        rate_limits={"api.mospi.gov.in": 1e6},
    )


def test_release_params_and_urls():
    assert mospi_url("cpi") == "https://api.mospi.gov.in/api/cpi/getCPIIndex"
    assert release_params("nas", 2023)["year"] == "2023-24"
    assert release_params("cpi", 2024) == {
        "base_year": "2012",
        "series": "Current",
        "year": "2024",
        "Format": "JSON",
        "limit": "40000",
    }
    with pytest.raises(ValueError, match="unknown MOSPI product"):
        mospi_url("gdp")


def test_every_product_fetches_and_parses(mirror):
    root, requests = mirror
    assert set(requests) == set(ENDPOINTS)
    sleeps: list[float] = []
    with MirrorServer(root) as server:
        client = _client(server, sleeps)
        by_product = {
            p: [row for params in requests[p] for row in fetch_mospi_rows(client, p, params)]
            for p in requests
        }
    assert {r["series_id"] for r in by_product["cpi"]} >= {
        "cpi_combined_general_index",
        "cpi_rural_vegetables",
    }
    assert {r["series_id"] for r in by_product["iip"]} >= {
        "iip_general",
        "iip_manufacturing",
        "iip_basic_metals",
    }
    assert {r["series_id"] for r in by_product["wpi"]} >= {"wpi_fuel_power", "wpi_manufactured_products"}
    assert {r["series_id"] for r in by_product["nas"]} >= {"nas_gdp_real", "nas_gva_construction_real"}
    assert {r["series_id"] for r in by_product["plfs"]} >= {"plfs_quarterly_ur_urban_person"}
    # every row's release date comes from the payload and follows its period
    for rows in by_product.values():
        assert all(r["released_at"].date() > r["ref_period"] for r in rows)
    assert all(s < 0.001 for s in sleeps)  # no retries were needed


def test_server_error_then_success(mirror):
    root, requests = mirror
    params = requests["cpi"][-1]
    sleeps: list[float] = []
    with MirrorServer(root) as server:
        server.add_faults("getCPIIndex", status(503), status(502, retry_after="1"))
        rows = fetch_mospi_rows(_client(server, sleeps), "cpi", params)
        assert len(server.hits("getCPIIndex")) == 3
    assert rows and rows[0]["source"] == "MOSPI"
    backoffs = [s for s in sleeps if s >= 0.001]
    assert len(backoffs) == 2 and backoffs[1] == 1.0  # the second wait honours Retry-After


def test_empty_body_is_the_rate_limiter_and_is_retried(mirror):
    root, requests = mirror
    params = requests["iip"][0]
    sleeps: list[float] = []
    with MirrorServer(root) as server:
        server.add_faults("getIIPMonthly", body(b""), body(b"  \n"))
        payload = fetch_mospi_release(_client(server, sleeps), "iip", params)
        assert len(server.hits("getIIPMonthly")) == 3
    assert payload.startswith(b'{"data"')
    assert [s for s in sleeps if s >= 0.001] == [0.01, 0.02]  # backoff_base x 2**attempt


def test_empty_body_forever_and_missing_year_fail(mirror):
    root, requests = mirror
    sleeps: list[float] = []
    with MirrorServer(root) as server:
        client = _client(server, sleeps)
        server.add_faults("getWpiRecords", *[body(b"")] * 4)
        with pytest.raises(FetchError, match="empty body"):
            fetch_mospi_release(client, "wpi", requests["wpi"][0])
        with pytest.raises(FetchError) as err:
            fetch_mospi_release(client, "plfs", release_params("plfs", 1999))
    assert err.value.status == 404


def test_payload_release_date_beats_the_fallback(mirror):
    root, requests = mirror
    fallback = datetime(2030, 1, 1, tzinfo=UTC)
    rows = fetch_mospi_rows(HttpClient(source_root=root), "wpi", requests["wpi"][0], released_at=fallback)
    assert rows and all(r["released_at"] < fallback for r in rows)
