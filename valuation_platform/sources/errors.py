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
