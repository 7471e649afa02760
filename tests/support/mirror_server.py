"""A loopback HTTP server that serves a mirror directory the way the live hosts serve their paths.

``GET /<host>/<path>?<query>`` returns ``<root>/<host>/<path>?<query>`` (or the file without query).
Faults are queued per path substring and consumed in order, so a test can say "the first two
requests for companyfacts answer 429 with Retry-After: 1, the third succeeds".
"""

from __future__ import annotations

import gzip
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from tests.support.loopback import serving_thread
from valuation_platform.sources.http import SECRET_PARAMS


@dataclass
class Fault:
    kind: str  # "status" | "delay" | "truncate" | "body"
    status: int = 200
    headers: dict[str, str] | None = None
    seconds: float = 0.0
    body: bytes | None = None


def status(code: int, retry_after: str | None = None) -> Fault:
    return Fault("status", status=code, headers={"Retry-After": retry_after} if retry_after else None)


def delay(seconds: float) -> Fault:
    return Fault("delay", seconds=seconds)


def truncate() -> Fault:
    return Fault("truncate")


def body(payload: bytes, code: int = 200) -> Fault:
    return Fault("body", status=code, body=payload)


class MirrorServer:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.faults: dict[str, deque[Fault]] = defaultdict(deque)
        self.requests: list[tuple[float, str, dict[str, str]]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:  # noqa: N802 (stdlib name)
                server._record(self.path, dict(self.headers))
                fault = server._next_fault(self.path)
                if fault and fault.kind == "delay":
                    time.sleep(fault.seconds)
                    fault = None
                if fault and fault.kind == "status":
                    return self._send(fault.status, b'{"error": "injected"}', fault.headers)
                if fault and fault.kind == "body":
                    return self._send(fault.status, fault.body or b"")
                payload = server._lookup(self.path)
                if payload is None:
                    return self._send(404, b"not found")
                if fault and fault.kind == "truncate":
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload[: len(payload) // 2])
                    self.close_connection = True
                    return
                if "gzip" in self.headers.get("Accept-Encoding", "") and len(payload) > 512:
                    return self._send(200, gzip.compress(payload), {"Content-Encoding": "gzip"})
                return self._send(200, payload)

            def _send(self, code: int, payload: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(code)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = serving_thread(self._httpd)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def add_faults(self, path_contains: str, *faults: Fault) -> None:
        with self._lock:
            self.faults[path_contains].extend(faults)

    def hits(self, path_contains: str) -> list[float]:
        return [t for t, p, _ in self.requests if path_contains in p]

    def _record(self, path: str, headers: dict[str, str]) -> None:
        with self._lock:
            self.requests.append((time.monotonic(), path, headers))

    def _next_fault(self, path: str) -> Fault | None:
        with self._lock:
            for key, queue in self.faults.items():
                if key in path and queue:
                    return queue.popleft()
        return None

    def _lookup(self, raw_path: str) -> bytes | None:
        parts = urlsplit(raw_path)
        rel = unquote(parts.path).lstrip("/")
        # Mirror file names carry the query with secrets removed and keys sorted (http.mirror_relpath).
        pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in SECRET_PARAMS]
        query = urlencode(sorted(pairs))
        candidates = [f"{rel}?{query}", rel] if query else [rel]
        for candidate in candidates:
            path = self.root / candidate
            if path.is_file() and self.root.resolve() in path.resolve().parents:
                return path.read_bytes()
            gz = path.with_name(path.name + ".gz")
            if gz.is_file():
                return gzip.decompress(gz.read_bytes())
        return None

    def __enter__(self) -> "MirrorServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
