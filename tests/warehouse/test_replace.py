"""Partition replace on a real Postgres: a re-run writes nothing, a failure keeps the old rows, a changed
partition replaces exactly its rows, an emptied partition disappears."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from valuation_platform.warehouse.bootstrap import ensure_tables
from valuation_platform.warehouse.connection import connect
from valuation_platform.warehouse.replace import replace_partitions
from valuation_platform.warehouse.tables import TableSpec

SPEC = TableSpec(
    schema="raw",
    name="replace_probe",
    columns={"cik": "bigint not null", "concept": "text not null", "day": "date not null", "value": "double precision not null"},
    key=("cik", "concept", "day"),
)


def facts(ciks: range, concepts: int = 50) -> pl.DataFrame:
    return pl.DataFrame(
        [{"cik": c, "concept": f"c{k}", "day": date(2024, 1, 1 + k % 28), "value": float(c * 1000 + k)}
         for c in ciks for k in range(concepts)]
    )


def table(conn) -> dict[tuple[int, str], tuple[float, object]]:
    rows = conn.execute("select cik, concept, value, xmin::text from raw.replace_probe").fetchall()
    return {(cik, concept): (value, xmin) for cik, concept, value, xmin in rows}


def test_rerun_writes_nothing_and_a_changed_document_replaces_exactly_its_rows(fresh_db) -> None:
    batch = facts(range(1, 11))
    with connect(fresh_db) as conn:
        ensure_tables(conn, [SPEC])
        first = replace_partitions(conn, SPEC, batch, scope=["cik"], source="t")
        before = table(conn)
        again = replace_partitions(conn, SPEC, batch.sample(fraction=1.0, shuffle=True, seed=3), scope=["cik"], source="t")
        after_rerun = table(conn)
        # company 4 refiles: one value restated, one fact withdrawn, one new
        changed = pl.concat([
            batch.filter(pl.col("cik") != 4),
            batch.filter((pl.col("cik") == 4) & (pl.col("concept") != "c7"))
                 .with_columns(pl.when(pl.col("concept") == "c1").then(-1.0).otherwise(pl.col("value")).alias("value")),
            pl.DataFrame([{"cik": 4, "concept": "new", "day": date(2024, 2, 1), "value": 9.0}]),
        ])
        third = replace_partitions(conn, SPEC, changed, scope=["cik"], source="t")
        after_change = table(conn)

    assert (first.rows_in, first.inserted, first.updated, first.unchanged) == (500, 500, 0, 0)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 500)
    assert after_rerun == before  # same tuples (xmin): nothing rewritten
    assert (third.inserted, third.updated, third.unchanged) == (0, 50, 450)
    assert {k: v for k, v in after_change.items() if k[0] != 4} == {k: v for k, v in before.items() if k[0] != 4}
    company4 = {k[1]: v[0] for k, v in after_change.items() if k[0] == 4}
    assert len(company4) == 50 and "c7" not in company4 and company4["new"] == 9.0
    assert company4["c1"] == -1.0 and company4["c2"] == 4002.0


def test_failure_mid_partition_rolls_back_and_the_old_rows_remain(fresh_db) -> None:
    batch = facts(range(1, 4))
    with connect(fresh_db) as conn:
        ensure_tables(conn, [SPEC])
        replace_partitions(conn, SPEC, batch, scope=["cik"], source="t")
        before = table(conn)
        broken = batch.with_columns(
            pl.when((pl.col("cik") == 2) & (pl.col("concept") == "c30")).then(None).otherwise(pl.col("value")).alias("value"),
        ).with_columns(pl.when(pl.col("cik") == 1).then(pl.col("value") + 1).otherwise(pl.col("value")).alias("value"))
        with pytest.raises(Exception, match="not-null|null value"):
            replace_partitions(conn, SPEC, broken, scope=["cik"], source="t")
        conn.rollback()
        after = table(conn)
        rerun = replace_partitions(conn, SPEC, batch, scope=["cik"], source="t")
    assert after == before  # company 1's change and company 2's delete were rolled back with the bad row
    assert rerun.unchanged == 150  # and the hashes were rolled back with them


def test_emptied_partition_disappears_and_rows_lost_behind_the_hash_are_rewritten(fresh_db) -> None:
    batch = facts(range(1, 4), concepts=5)
    with connect(fresh_db) as conn:
        ensure_tables(conn, [SPEC])
        replace_partitions(conn, SPEC, batch, scope=["cik"], source="t")
        replace_partitions(conn, SPEC, batch.filter(pl.col("cik") != 3), scope=["cik"], empty_scopes=[(3,)], source="t")
        per_cik = dict(conn.execute("select cik, count(*) from raw.replace_probe group by cik").fetchall())
        with conn.transaction():
            conn.execute("delete from raw.replace_probe where cik = 1 and concept = 'c0'")
        repaired = replace_partitions(conn, SPEC, batch.filter(pl.col("cik") != 3), scope=["cik"], source="t")
        count = conn.execute("select count(*) from raw.replace_probe").fetchone()[0]
    assert per_cik == {1: 5, 2: 5}
    assert repaired.unchanged == 0 and count == 10
