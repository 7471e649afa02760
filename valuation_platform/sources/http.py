"""The one HTTP layer every source uses: live hosts or a mirror, same code path.

A *source root* decides where bytes come from:

* ``None``: the live host named in the URL.
* a directory: the file ``<root>/<host>/<url path>`` (``?<query>`` appended to the file name when the
  request has non-secret parameters, the layout ``wget --mirror`` writes), so a recorded payload
  drops into a mirror unchanged. A ``.gz`` sibling is read when the plain file is absent.
* an ``http://`` URL: ``<root>/<host>/<url path>?<query>`` over the network, which is how tests serve a
  mirror from a loopback server and exercise retries, rate limits and faults for real.

Every network call has a timeout, a per-host rate limit (shared by all clients in the process),
retries with exponential backoff plus jitter on 429/5xx/timeouts/truncated bodies that honour
``Retry-After``, and gzip (requests negotiates it). Secrets passed as parameters are never put in
mirror paths, logs or error messages.
"""

from __future__ import annotations

import email.utils
import gzip
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import orjson
import requests
from requests.adapters import HTTPAdapter

from valuation_platform.sources.errors import FetchError, SourceError

log = logging.getLogger(__name__)

# The SEC allows 10 requests/second per client and blocks callers without a descriptive User-Agent.
SEC_HOSTS = frozenset({"www.sec.gov", "data.sec.gov", "efts.sec.gov"})
DEFAULT_RATE_LIMITS: Mapping[str, float] = {host: 10.0 for host in SEC_HOSTS} | {
    "www.nseindia.com": 3.0,
    "api.polygon.io": 5.0,
    "api.benzinga.com": 5.0,
    "api.mospi.gov.in": 5.0,
}
FALLBACK_RATE = 20.0
SECRET_PARAMS = frozenset({"apikey", "api_key", "token", "key", "access_token"})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class _HostLimiter:
    """Minimum spacing between requests to one host, process-wide and thread-safe."""

    _lock = threading.Lock()
    _next_slot: dict[str, float] = {}

    @classmethod
    def wait(cls, host: str, per_second: float, sleep: Callable[[float], None]) -> None:
        interval = 1.0 / per_second
        with cls._lock:
            now = time.monotonic()
            slot = max(now, cls._next_slot.get(host, 0.0))
            cls._next_slot[host] = slot + interval
        if slot > now:
            sleep(slot - now)


def public_query(params: Mapping[str, Any] | None) -> str:
    """The query string with secrets removed and keys sorted: stable across runs, safe to log."""
    if not params:
        return ""
    items = sorted((k, str(v)) for k, v in params.items() if v is not None and k.lower() not in SECRET_PARAMS)
    return urlencode(items)


def mirror_relpath(url: str, params: Mapping[str, Any] | None = None) -> str:
    """``<host>/<path>[?query]`` for a URL: the layout of a mirror directory."""
    parts = urlsplit(url)
    if not parts.hostname:
        raise ValueError(f"not an absolute URL: {url!r}")
    query = "&".join(q for q in (parts.query, public_query(params)) if q)
    rel = f"{parts.hostname}{parts.path or '/'}"
    return f"{rel}?{query}" if query else rel


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


@dataclass
class HttpClient:
    """GET with the platform's politeness and fault handling. One instance per run is plenty."""

    source_root: str | Path | None = None
    user_agent: str | None = None
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_retries: int = 5
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    rate_limits: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_RATE_LIMITS))
    sleep: Callable[[float], None] = time.sleep
    _session: requests.Session | None = field(default=None, init=False, repr=False)

    # -- where bytes come from -------------------------------------------------------------
    @property
    def mode(self) -> str:
        root = str(self.source_root) if self.source_root else ""
        if not root:
            return "live"
        return "http-mirror" if root.startswith(("http://", "https://")) else "directory-mirror"

    def describe(self) -> str:
        return "live hosts" if self.mode == "live" else f"mirror {self.source_root}"

    @property
    def session(self) -> requests.Session:
        if self._session is None:
            session = requests.Session()
            adapter = HTTPAdapter(pool_connections=8, pool_maxsize=16, max_retries=0)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            session.headers["Accept-Encoding"] = "gzip, deflate"
            self._session = session
        return self._session

    # -- public API ------------------------------------------------------------------------
    def get_bytes(
        self,
        url: str,
        *,
        source: str,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> bytes:
        """The body of ``url``; raises :class:`FetchError` when it cannot be had."""
        document = mirror_relpath(url, params)
        if self.mode == "directory-mirror":
            return self._read_mirror_file(document, source)
        host = urlsplit(url).hostname or ""
        if self.mode == "live":
            self._check_identity(host, source, document)
            target, query = url, dict(params or {})
        else:
            target = f"{str(self.source_root).rstrip('/')}/{document.split('?', 1)[0]}"
            # The URL's own query (e.g. a pagination cursor) travels with the params; secrets stay in the
            # query so a loopback server can check them, as the live host would.
            query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True)) | dict(params or {})
        return self._get_with_retries(target, query, host, source, document, headers)

    def get_json(
        self,
        url: str,
        *,
        source: str,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        body = self.get_bytes(url, source=source, params=params, headers=headers)
        return decode_json(body, source=source, document=mirror_relpath(url, params))

    # -- internals -------------------------------------------------------------------------
    def _check_identity(self, host: str, source: str, document: str) -> None:
        if host in SEC_HOSTS and not (self.user_agent and "@" in self.user_agent):
            raise FetchError(
                source,
                document,
                "the SEC requires a User-Agent naming the operator with a contact e-mail; set "
                "VP_SEC_USER_AGENT (e.g. 'Acme Research ops@acme.example') or point VP_SOURCE_ROOT at a mirror",
            )

    def _read_mirror_file(self, document: str, source: str) -> bytes:
        path = Path(self.source_root) / document  # type: ignore[arg-type]
        if path.is_file():
            return path.read_bytes()
        gz = path.with_name(path.name + ".gz")
        if gz.is_file():
            try:
                return gzip.decompress(gz.read_bytes())
            except (OSError, EOFError) as exc:
                raise FetchError(source, document, f"corrupt gzip in mirror: {exc}") from exc
        raise FetchError(source, document, f"not in mirror {self.source_root}", status=404)

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.backoff_cap, self.backoff_base * (2**attempt))
        return random.uniform(ceiling / 2, ceiling)  # "equal jitter": never hammers, never stalls long

    def _get_with_retries(
        self,
        target: str,
        params: Mapping[str, Any],
        host: str,
        source: str,
        document: str,
        headers: Mapping[str, str] | None,
    ) -> bytes:
        send_headers = {"User-Agent": self.user_agent or "valuation_platform (mirror client)"}
        send_headers.update(headers or {})
        rate = self.rate_limits.get(host, FALLBACK_RATE)
        last_problem = "no attempt made"
        for attempt in range(self.max_retries + 1):
            _HostLimiter.wait(host, rate, self.sleep)
            wait: float | None = None
            try:
                response = self.session.get(
                    target,
                    params=params or None,
                    headers=send_headers,
                    timeout=(self.connect_timeout, self.read_timeout),
                )
                status = response.status_code
                if status == 200:
                    return response.content  # urllib3 raises on a body shorter than Content-Length
                last_problem = f"HTTP {status}"
                if status not in RETRY_STATUSES:
                    raise FetchError(source, document, f"HTTP {status}", status=status)
                wait = parse_retry_after(response.headers.get("Retry-After"))
            except (requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
                last_problem = f"{type(exc).__name__}"
            if attempt == self.max_retries:
                break
            delay = min(self.backoff_cap, wait) if wait is not None else self._backoff(attempt)
            log.warning("%s %s: %s, retry %d in %.2fs", source, document, last_problem, attempt + 1, delay)
            self.sleep(delay)
        raise FetchError(source, document, f"gave up after {self.max_retries + 1} attempts: {last_problem}")


def decode_json(body: bytes, *, source: str, document: str) -> Any:
    """JSON from bytes, or a :class:`SourceError` saying where it broke.

    orjson (a Dagster dependency) parses large documents such as companyfacts several times faster.
    """
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise SourceError(source, document, f"malformed JSON: {exc}") from exc
