"""Bulk upsert on a real Postgres: idempotent, last-wins within a batch, change detection."""

from __future__ import annotations

import math
from datetime import date

import polars as pl

from valuation_platform.warehouse.bootstrap import ensure_tables
from valuation_platform.warehouse.connection import connect
from valuation_platform.warehouse.tables import TableSpec
from valuation_platform.warehouse.upsert import copy_only, upsert

SPEC = TableSpec(
    schema="raw",
    name="upsert_probe",
    columns={"id": "text not null", "day": "date not null", "value": "double precision", "meta": "jsonb"},
    key=("id", "day"),
)


def test_upsert_is_idempotent_and_detects_changes(fresh_db) -> None:
    rows = [{"id": f"k{i}", "day": date(2024, 1, 1 + i % 28), "value": float(i), "meta": {"i": i}} for i in range(1000)]
    with connect(fresh_db) as conn:
        ensure_tables(conn, [SPEC])
        first = upsert(conn, SPEC, rows, source="test", partition_key="p1")
        again = upsert(conn, SPEC, rows, source="test", partition_key="p1")
        changed = [dict(r, value=r["value"] + 0.5) if r["id"] in ("k1", "k2") else r for r in rows]
        third = upsert(conn, SPEC, changed, source="test")
        count, total, pk = conn.execute(
            "select count(*), sum(value), count(distinct coalesce(_partition_key, '-')) from raw.upsert_probe"
        ).fetchone()
        meta = conn.execute("select meta->>'i' from raw.upsert_probe where id = 'k5'").fetchone()[0]
    assert (first.inserted, first.updated) == (1000, 0)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 1000)
    assert (third.inserted, third.updated, third.unchanged) == (0, 2, 998)
    assert count == 1000 and total == sum(range(1000)) + 1.0 and meta == "5"
    assert pk == 2  # k1, k2 were re-stamped with the third load's (None) partition; others kept p1


def test_last_row_wins_within_a_batch_and_nan_is_null(fresh_db) -> None:
    frame = pl.DataFrame(
        {"id": ["a", "a", "b"], "day": [date(2024, 1, 1)] * 3, "value": [1.0, 2.0, math.nan]}
    )
    with connect(fresh_db) as conn:
        ensure_tables(conn, [SPEC])
        result = upsert(conn, SPEC, frame, source="test")
        rows = dict(conn.execute("select id, value from raw.upsert_probe order by id").fetchall())
        plain = copy_only(conn, SPEC, frame.with_columns(
            pl.lit("t").alias("_source"), pl.lit(None, dtype=pl.Datetime("us", "UTC")).alias("_fetched_at")))
    assert result.rows_in == 3 and result.inserted == 2
    assert rows == {"a": 2.0, "b": None}
    assert plain == 3


def test_undeclared_column_is_refused(fresh_db) -> None:
    import pytest

    with connect(fresh_db) as conn:
        ensure_tables(conn, [SPEC])
        with pytest.raises(ValueError, match="not declared"):
            upsert(conn, SPEC, [{"id": "a", "day": date(2024, 1, 1), "surprise": 1}])


def test_two_upserts_inside_one_open_transaction(fresh_db) -> None:
    rows = [{"id": "a", "day": date(2024, 1, 1), "value": 1.0}]
    with connect(fresh_db) as conn:
        ensure_tables(conn, [SPEC])
        conn.commit()
        conn.execute("select 1")  # psycopg opens a transaction: upsert's own becomes a savepoint
        upsert(conn, SPEC, rows)
        second = upsert(conn, SPEC, [dict(rows[0], value=2.0)])
        conn.commit()
        assert second.updated == 1
        assert conn.execute("select value from raw.upsert_probe").fetchone()[0] == 2.0
