"""Fetch-and-parse many documents concurrently, keeping the good ones and collecting the bad ones."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from valuation_platform.sources.errors import SourceError

K = TypeVar("K")
T = TypeVar("T")


@dataclass
class Outcome(Generic[K, T]):
    ok: list[tuple[K, T]] = field(default_factory=list)
    failed: list[tuple[K, SourceError]] = field(default_factory=list)

    @property
    def errors(self) -> list[SourceError]:
        return [error for _, error in self.failed]


def fetch_all(
    keys: Iterable[K],
    fetch: Callable[[K], T],
    *,
    workers: int = 8,
    on_result: Callable[[K, T], None] | None = None,
) -> Outcome[K, T]:
    """Run ``fetch`` for every key; a :class:`SourceError` quarantines that key only.

    Any other exception is a bug or an outage and propagates (the run fails, retries apply).
    Results stream through ``on_result`` in key order so callers can flush to the warehouse in chunks.
    """
    outcome: Outcome[K, T] = Outcome()

    def guarded(key: K) -> tuple[K, T | None, SourceError | None]:
        try:
            return key, fetch(key), None
        except SourceError as error:
            return key, None, error

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results: Iterator[tuple[K, T | None, SourceError | None]] = pool.map(guarded, keys)
        for key, value, error in results:
            if error is not None:
                outcome.failed.append((key, error))
            else:
                if on_result is not None:
                    on_result(key, value)  # type: ignore[arg-type]
                else:
                    outcome.ok.append((key, value))  # type: ignore[arg-type]
    return outcome
