"""What both ownership loads share: forgetting quarantine entries of filings that now load."""

from __future__ import annotations

from collections.abc import Collection

import psycopg

from valuation_platform.sources.sec.filing_index import accession_nodash
from valuation_platform.sources.sec.urls import SOURCE


def release_accessions(conn: psycopg.Connection, asset_key: str, accessions: Collection[str]) -> int:
    """Delete this asset's quarantine entries that name one of ``accessions``.

    A filing can be quarantined under several document names (``Form 4 0001-..`` from the parser, the
    archive path with the 18-digit accession from the client), so entries are matched on either form.
    """
    if not accessions:
        return 0
    patterns = [f"%{a}%" for a in accessions] + [f"%{accession_nodash(a)}%" for a in accessions]
    with conn.transaction():
        cur = conn.execute(
            "delete from raw.quarantine where source = %s and asset_key = %s and document like any(%s)",
            (SOURCE, asset_key, patterns),
        )
    return cur.rowcount


def end_read_transaction(conn: psycopg.Connection) -> None:
    """Commit the implicit transaction a plain read opened (the connection is not autocommit).

    ``upsert`` stages rows in a temp table dropped "on commit"; inside an open transaction its own
    ``conn.transaction()`` is only a savepoint, so a second upsert into the same table would find the
    first one's stage still there. Starting every write block from an idle connection avoids that.
    """
    if conn.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS:
        conn.commit()
