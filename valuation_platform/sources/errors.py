"""The one error type parsers and clients raise for bad payloads."""

from __future__ import annotations


class SourceError(Exception):
    """A payload that cannot be used, naming the source, the document and the field.

    ``document`` is what identifies the payload to a human (a URL, a CIK, a file name);
    ``field`` is the JSON path / XML element / column that was wrong, when there is one.
    """

    def __init__(self, source: str, document: str, message: str, field: str | None = None) -> None:
        self.source = source
        self.document = document
        self.field = field
        self.reason = message
        where = f"{source} document {document}"
        if field:
            where += f", field {field}"
        super().__init__(f"{where}: {message}")


class FetchError(SourceError):
    """The transport failed for good (404, retries exhausted, truncated body)."""

    def __init__(self, source: str, document: str, message: str, status: int | None = None) -> None:
        super().__init__(source, document, message)
        self.status = status


class SourceUnavailable(Exception):
    """A whole source cannot be used for this run (mirror lacks it, 5xx after retries, host down).

    Raised by a pipeline step instead of a per-document :class:`SourceError` when nothing of the source
    can be fetched: the step fails alone with one line naming the source and why, and the domains that
    do not depend on it still run.
    """

    def __init__(self, source: str, reason: str, *, retryable: bool = False) -> None:
        self.source = source
        self.reason = reason
        # True when waiting may help (5xx/timeouts from a live host); a mirror that lacks the source won't change
        self.retryable = retryable
        super().__init__(f"source {source} unavailable: {reason}")


class SourceNotConfigured(SourceUnavailable):
    """The source needs a setting that is not set (an API key, a base URL): the step is skipped, not broken."""

    def __init__(self, source: str, setting: str, why: str = "") -> None:
        super().__init__(source, f"not configured: {setting} is not set" + (f" ({why})" if why else ""))
        self.setting = setting
