"""Quarantine: bad documents are kept with their reason, never silently dropped."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone

import psycopg

from valuation_platform.sources.errors import SourceError
from valuation_platform.warehouse.tables import QUARANTINE
from valuation_platform.warehouse.upsert import upsert

EXCERPT_CHARS = 2000


def quarantine(
    conn: psycopg.Connection,
    errors: Iterable[SourceError],
    *,
    asset_key: str,
    excerpts: dict[str, bytes] | None = None,
) -> int:
    rows = [
        {
            "source": error.source,
            "document": error.document,
            "reason": error.reason,
            "field": error.field,
            "asset_key": asset_key,
            "excerpt": (excerpts or {}).get(error.document, b"")[:EXCERPT_CHARS].decode("utf-8", "replace") or None,
            "quarantined_at": datetime.now(timezone.utc),
        }
        for error in errors
    ]
    return upsert(conn, QUARANTINE, rows).rows_in if rows else 0


def release(conn: psycopg.Connection, source: str, documents: Iterable[str]) -> int:
    """Forget earlier quarantine entries for documents that have now loaded cleanly."""
    documents = list(documents)
    if not documents:
        return 0
    with conn.transaction():
        cur = conn.execute(
            "delete from raw.quarantine where source = %s and document = any(%s)", (source, documents)
        )
    return cur.rowcount
