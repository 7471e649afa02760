"""MoSPI eSankhyiki API client: ``https://api.mospi.gov.in/api/<product>/<endpoint>``.

The API is keyless. Each product has its own endpoint; all take ``Format=JSON`` and ``limit`` (a page
size: one calendar year of a product fits in one page with ``limit=40000``, so releases are fetched one
year per request and a response with fewer records than ``meta_data.totalRecords`` is refused by the
parsers rather than stored half). Responses are ``{"data": [...], "msg": ..., "statusCode": true,
"meta_data": {...}}``; each product's parser turns the records into the same long rows as its published
CSV (see :mod:`.series`), so an API payload and a dropped file go through one parser.

Quirk handled here: when it rate-limits, the API answers **HTTP 200 with an empty body** instead of 429,
so an empty body is retried with backoff like a 429 (the shared HTTP layer already retries 429/5xx and
timeouts); only a well-formed ``{"data": [], "msg": "No Data Found"}`` is a real empty result.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from valuation_platform.sources.errors import FetchError
from valuation_platform.sources.http import HttpClient, mirror_relpath
from valuation_platform.sources.mospi.cpi import CPI
from valuation_platform.sources.mospi.iip import IIP
from valuation_platform.sources.mospi.national_accounts import NATIONAL_ACCOUNTS
from valuation_platform.sources.mospi.plfs import PLFS
from valuation_platform.sources.mospi.release import ReleaseSpec
from valuation_platform.sources.mospi.series import MOSPI
from valuation_platform.sources.mospi.wpi import WPI

API_ROOT = "https://api.mospi.gov.in/api"
SPECS: Mapping[str, ReleaseSpec] = {spec.product: spec for spec in (CPI, IIP, WPI, NATIONAL_ACCOUNTS, PLFS)}
ENDPOINTS: Mapping[str, str] = {product: spec.endpoint for product, spec in SPECS.items()}
PAGE_LIMIT = 40000
EMPTY_BODY_RETRIES = 3


def release_spec(product: str) -> ReleaseSpec:
    if product not in SPECS:
        raise ValueError(f"unknown MOSPI product {product!r}; expected one of {sorted(SPECS)}")
    return SPECS[product]


def mospi_url(product: str) -> str:
    return f"{API_ROOT}/{release_spec(product).endpoint}"


def fiscal_year_label(start_year: int) -> str:
    """``2023`` -> ``'2023-24'`` (the NAS API's year parameter)."""
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def release_params(product: str, year: int) -> dict[str, str]:
    """The query for one year of ``product``: calendar year, or for ``nas`` the fiscal year starting then.

    The generator writes its mirror files under exactly these parameters, so a mirror and the live API
    answer the same requests.
    """
    spec = release_spec(product)
    params = dict(spec.params)
    params["year"] = fiscal_year_label(year) if spec.fiscal_years else str(year)
    params["Format"] = "JSON"
    params["limit"] = str(PAGE_LIMIT)
    return params


def fetch_mospi_release(client: HttpClient, product: str, params: Mapping[str, Any]) -> bytes:
    """The raw response body for ``product`` with ``params`` (see :func:`release_params`)."""
    url = mospi_url(product)
    # Sorted keys: the query string is then identical live, in a mirror file name and on a mirror server.
    params = dict(sorted(params.items()))
    document = mirror_relpath(url, params)
    for attempt in range(EMPTY_BODY_RETRIES + 1):
        body = client.get_bytes(url, source=MOSPI, params=params)
        if body.strip():
            return body
        if attempt < EMPTY_BODY_RETRIES:
            client.sleep(min(client.backoff_cap, client.backoff_base * 2**attempt))
    raise FetchError(MOSPI, document, f"empty body {EMPTY_BODY_RETRIES + 1} times (the API's rate limit)")


def parse_mospi_release(
    product: str, payload: bytes, *, document: str, released_at: datetime | date | None = None
) -> list[dict[str, Any]]:
    """Rows of a payload of ``product``: API JSON or the product's published CSV layout."""
    return release_spec(product).parse(payload, document=document, released_at=released_at)


def fetch_mospi_rows(
    client: HttpClient,
    product: str,
    params: Mapping[str, Any],
    *,
    released_at: datetime | date | None = None,
) -> list[dict[str, Any]]:
    """Fetch and parse one release; ``released_at`` is the fallback when the payload has no release date."""
    body = fetch_mospi_release(client, product, params)
    return parse_mospi_release(
        product, body, document=mirror_relpath(mospi_url(product), params), released_at=released_at
    )
