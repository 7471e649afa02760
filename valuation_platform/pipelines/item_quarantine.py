"""Quarantine per item (a bar, an article), not only per document, and forget what a re-fetch fixed.

The asset check listing an asset's quarantine is ``lib.checks.quarantine_check``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import psycopg

from valuation_platform.sources.errors import SourceError
from valuation_platform.warehouse.quarantine import quarantine

ITEM_SEPARATOR = "#"  # "<document>#results[3]" names one item of a document


def item_error(error: SourceError) -> SourceError:
    """A copy of a per-item error keyed ``<document>#<item>``: several bad items of a page get a row each."""
    item = (error.field or "item").split(".", 1)[0]
    document = f"{error.document}{ITEM_SEPARATOR}{item}"
    return SourceError(error.source, document, error.reason, field=error.field)


def refresh_quarantine(
    conn: psycopg.Connection,
    *,
    source: str,
    asset_key: str,
    documents: Iterable[str],
    errors: Iterable[SourceError],
    excerpts: Mapping[str, bytes] | None = None,
) -> int:
    """Make the quarantine say what this run saw for ``documents``: earlier entries for them (and their
    items) go, this run's errors come in. Documents the run did not read keep their entries."""
    documents = sorted(set(documents) | {e.document.split(ITEM_SEPARATOR, 1)[0] for e in errors})
    errors = list(errors)
    with conn.transaction():
        conn.execute(
            "delete from raw.quarantine where source = %s and asset_key = %s"
            " and split_part(document, %s, 1) = any(%s)",
            (source, asset_key, ITEM_SEPARATOR, documents),
        )
        return quarantine(conn, errors, asset_key=asset_key, excerpts=dict(excerpts or {}))
