"""Two small read helpers steps share: rows as dicts, and whether a relation exists (a domain that never
ran here has no tables; its readers treat that as empty)."""

from __future__ import annotations

from typing import Any

import psycopg


def fetch_dicts(cur: psycopg.Cursor) -> list[dict[str, Any]]:
    columns = [d.name for d in cur.description or []]
    return [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]


def relation_exists(conn: psycopg.Connection, qualified: str) -> bool:
    return conn.execute("select to_regclass(%s) is not null", (qualified,)).fetchone()[0]
