"""How a whole-source problem raised by a pipeline step becomes a Dagster step outcome."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from valuation_platform.sources.errors import SourceNotConfigured, SourceUnavailable


@contextmanager
def source_outcome() -> Iterator[None]:
    """Wrap a network asset's step: an unconfigured source fails the step without retries (waiting will not
    set an API key) and a mirror that lacks the source likewise; only a live host's outage is retried.
    The message is the one line the runner and the UI show: which source and why."""
    try:
        yield
    except SourceNotConfigured as exc:
        raise dg.Failure(description=str(exc), allow_retries=False,
                         metadata={"source": exc.source, "outcome": "not configured"}) from exc
    except SourceUnavailable as exc:
        raise dg.Failure(description=str(exc), allow_retries=exc.retryable,
                         metadata={"source": exc.source, "outcome": "unavailable"}) from exc
