"""A loopback server speaking OpenAI's chat-completions HTTP API, replaying real recorded response bodies.

The bodies are the openai-python test suite's inline snapshots of real API responses
(../shared/fixtures/llm/openai_python_test_completions_snapshots.json):

* ``test_parse_pydantic_model`` is the ENVELOPE of a successful structured output (id, created, model
  gpt-4o-2024-08-06, usage 79 prompt + 14 completion tokens, finish_reason stop); only
  ``choices[0].message.content`` is swapped for the answer a test scripts in our schema;
* ``test_parse_pydantic_model_refusal`` is replayed unchanged (``message.refusal`` set, content null);
* ``test_parse_max_tokens_reached`` is replayed unchanged (finish_reason ``length``, content ``{"``).

What each call gets is scripted per event: the handler finds the event's title in the request's user message
and consumes that event's next mode (the last one repeats): ``ok``, ``refusal``, ``length``, ``invalid``
(scripted content that fails the schema), ``not_json``, ``429`` (with Retry-After), ``500``, ``truncated``
(Content-Length promises more than is sent) and ``timeout`` (answers after the client gave up).
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections import deque
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.support.loopback import serving_thread

ENVELOPE, REFUSAL, LENGTH = "test_parse_pydantic_model", "test_parse_pydantic_model_refusal", "test_parse_max_tokens_reached"


def recorded_bodies(fixtures: Path) -> dict[str, dict[str, Any]]:
    data = json.loads((fixtures / "llm" / "openai_python_test_completions_snapshots.json").read_text())
    return {record["test"]: record["response_body"] for record in data["records"]}


class FakeOpenAI:
    def __init__(self, fixtures: Path, answers: Mapping[str, Any], script: Mapping[str, list[str]],
                 retry_after: str = "2", stall: float = 1.5) -> None:
        """``answers``: event title -> the JSON answer an ``ok``/``invalid`` call returns as content;
        ``script``: event title -> modes, one per call."""
        self.bodies = recorded_bodies(fixtures)
        self.answers = dict(answers)
        self.script = {title: deque(modes) for title, modes in script.items()}
        self.calls: list[tuple[str, str]] = []  # (event title, mode)
        self.requests: list[dict[str, Any]] = []
        self.retry_after, self.stall = retry_after, stall
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                request = json.loads(self.rfile.read(length))
                if self.path.rstrip("/") != "/v1/chat/completions":
                    return self._send(404, {"error": {"message": f"no route {self.path}"}})
                title, mode = fake._next(request)
                if mode == "429":
                    return self._send(429, {"error": {"message": "Rate limit reached", "type": "requests",
                                                      "code": "rate_limit_exceeded"}},
                                      {"Retry-After": fake.retry_after})
                if mode == "500":
                    return self._send(500, {"error": {"message": "The server had an error", "type": "server_error"}})
                if mode == "timeout":
                    time.sleep(fake.stall)
                    mode = "ok"
                body = fake._body(title, mode)
                if mode == "truncated":
                    payload = json.dumps(body).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload) + 200))
                    self.end_headers()
                    self.wfile.write(payload[: len(payload) // 2])
                    self.close_connection = True
                    return
                return self._send(200, body)

            def _send(self, code: int, body: Mapping[str, Any], headers: Mapping[str, str] | None = None) -> None:
                payload = json.dumps(body).encode()
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    for key, value in (headers or {}).items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):  # the client timed out and left
                    pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = serving_thread(self._httpd)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def _next(self, request: Mapping[str, Any]) -> tuple[str, str]:
        user = next(m["content"] for m in request["messages"] if m["role"] == "user")
        title = json.loads(user)["title"]
        with self._lock:
            self.requests.append(request)
            modes = self.script.get(title) or deque(["ok"])
            mode = modes.popleft() if len(modes) > 1 else modes[0]
            self.calls.append((title, mode))
        return title, mode

    def _body(self, title: str, mode: str) -> dict[str, Any]:
        if mode == "refusal":
            return copy.deepcopy(self.bodies[REFUSAL])
        if mode == "length":
            return copy.deepcopy(self.bodies[LENGTH])
        body = copy.deepcopy(self.bodies[ENVELOPE])
        content = "The repo rate was cut by 25 basis points." if mode == "not_json" else json.dumps(self.answers[title])
        body["choices"][0]["message"]["content"] = content
        return body

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
