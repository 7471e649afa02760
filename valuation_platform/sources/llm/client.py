"""Structured outputs from an OpenAI-compatible chat-completions endpoint, validated into a pydantic model.

``client.chat.completions.parse(response_format=Model)`` sends the model's strict JSON schema and parses the
answer. What comes back is sorted, never applied unchecked:

* ``message.refusal`` set, output cut at max tokens, content that is not JSON or fails the model's validators:
  :class:`OutputRejected` (a :class:`SourceError` naming the document and why; the caller quarantines it);
* 429 and 5xx, timeouts and dropped connections: retried here (the SDK's own retries are off, so one policy
  applies) with exponential backoff, honouring ``Retry-After`` on a 429/503; when they persist,
  :class:`FetchError` with the last status;
* any other 4xx (bad key, unknown model): :class:`FetchError` at once.

Tokens and cost come back with each answer (list prices per million tokens, overridable).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import openai
from pydantic import BaseModel, ValidationError

from valuation_platform.sources.errors import FetchError, SourceError
from valuation_platform.sources.http import parse_retry_after

SOURCE = "llm"
LOG = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)

# USD per million tokens (input, output): OpenAI's list prices for the models named; another model's cost
# is 0 unless VP_LLM_PRICES sets it.
LIST_PRICES: Mapping[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o-2024-08-06": (2.50, 10.00),
    "gpt-4o": (2.50, 10.00),
}


class OutputRejected(SourceError):
    """The model answered, but not with something we may use (refusal, truncated, invalid)."""


@dataclass(frozen=True)
class Answer(Generic[M]):
    parsed: M
    model: str  # as the server names it
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float


@dataclass
class StructuredChat:
    api_key: str
    model: str
    base_url: str | None = None
    max_retries: int = 4
    timeout: float = 60.0
    backoff_base: float = 1.0
    backoff_cap: float = 30.0
    prices: Mapping[str, tuple[float, float]] = field(default_factory=lambda: dict(LIST_PRICES))
    sleep: Callable[[float], None] = time.sleep
    calls: int = 0  # HTTP attempts made (retries included)

    def __post_init__(self) -> None:
        self._client = openai.OpenAI(api_key=self.api_key, base_url=self.base_url or None, max_retries=0,
                                     timeout=self.timeout)

    def price(self, prompt_tokens: int, completion_tokens: int) -> float:
        per_input, per_output = self.prices.get(self.model, (0.0, 0.0))
        return (prompt_tokens * per_input + completion_tokens * per_output) / 1_000_000

    def parse(self, schema: type[M], *, system: str, user: str, document: str) -> Answer[M]:
        completion = self._with_retries(
            lambda: self._client.chat.completions.parse(
                model=self.model, response_format=schema, temperature=0,
                messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
            ),
            document,
        )
        message = completion.choices[0].message
        if message.refusal:
            raise OutputRejected(SOURCE, document, f"the model refused: {message.refusal}", field="message.refusal")
        if message.parsed is None:
            raise OutputRejected(SOURCE, document, "the answer holds no structured output", field="message.content")
        usage = completion.usage
        prompt, answer = (usage.prompt_tokens, usage.completion_tokens) if usage else (0, 0)
        return Answer(message.parsed, completion.model, prompt, answer, self.price(prompt, answer))

    def _with_retries(self, call, document: str):  # type: ignore[no-untyped-def]
        problem = "no attempt made"
        for attempt in range(self.max_retries + 1):
            self.calls += 1
            wait: float | None = None
            try:
                return call()
            except openai.LengthFinishReasonError as exc:
                raise OutputRejected(SOURCE, document, f"output cut at the token limit: {exc}",
                                     field="choices[0].finish_reason") from exc
            except openai.ContentFilterFinishReasonError as exc:
                raise OutputRejected(SOURCE, document, "output stopped by the content filter",
                                     field="choices[0].finish_reason") from exc
            except ValidationError as exc:
                raise OutputRejected(SOURCE, document, f"output fails the schema: {_first(exc)}",
                                     field="message.content") from exc
            except openai.APIStatusError as exc:
                problem = f"HTTP {exc.status_code}"
                if exc.status_code != 429 and exc.status_code < 500:
                    raise FetchError(SOURCE, document, f"{problem}: {exc.message}", status=exc.status_code) from exc
                wait = parse_retry_after(exc.response.headers.get("retry-after"))
            except (openai.APITimeoutError, openai.APIConnectionError) as exc:
                problem = type(exc).__name__
            except openai.APIResponseValidationError as exc:  # a body that is not a chat completion
                raise OutputRejected(SOURCE, document, f"response is not a chat completion: {exc}") from exc
            if attempt == self.max_retries:
                break
            delay = min(self.backoff_cap, wait) if wait is not None else self._backoff(attempt)
            LOG.warning("%s %s: %s, retry %d in %.2fs", SOURCE, document, problem, attempt + 1, delay)
            self.sleep(delay)
        raise FetchError(SOURCE, document, f"gave up after {self.max_retries + 1} attempts: {problem}",
                         status=_status(problem))

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.backoff_cap, self.backoff_base * (2**attempt))
        return random.uniform(ceiling / 2, ceiling)


def _first(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error.get("loc", ()))
    return f"{where}: {error.get('msg')}" if where else str(error.get("msg"))


def _status(problem: str) -> int | None:
    return int(problem.split()[1]) if problem.startswith("HTTP ") else None
