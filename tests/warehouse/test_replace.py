"""Partition replace on a real Postgres: a re-run writes nothing, a failure keeps the old rows, a changed
partition replaces exactly its rows, an emptied partition disappears. Each holds by both paths: COPY through
the indexes (``rebuild=False``) and COPY with the indexes dropped and built after (``rebuild=True``)."""

from __future__ import annotations

from datetime import date

import polars as pl
import psycopg
import pytest

from valuation_platform.warehouse.bootstrap import ensure_tables
from valuation_platform.warehouse.connection import connect
from valuation_platform.warehouse import rebuild as rebuild_module
from valuation_platform.warehouse.replace import replace_partitions
from valuation_platform.warehouse.tables import TableSpec

SPEC = TableSpec(
    schema="raw",
    name="replace_probe",
    columns={"cik": "bigint not null", "concept": "text not null", "day": "date not null", "value": "double precision not null"},
    key=("cik", "concept", "day"),
    indexes=(("value",),),
)


def facts(ciks: range, concepts: int = 50) -> pl.DataFrame:
    return pl.DataFrame(
        [{"cik": c, "concept": f"c{k}", "day": date(2024, 1, 1 + k % 28), "value": float(c * 1000 + k)}
         for c in ciks for k in range(concepts)]
    )


# What ensure_tables creates for SPEC, written out: the rebuild must restore exactly this.
PROBE_INDEXES = {
    "replace_probe_pkey": "CREATE UNIQUE INDEX replace_probe_pkey ON raw.replace_probe USING btree (cik, concept, day)",
    "ix_replace_probe_value": "CREATE INDEX ix_replace_probe_value ON raw.replace_probe USING btree (value)",
}


def indexes(conn) -> dict[str, str]:
    return dict(conn.execute("select indexname, indexdef from pg_indexes where tablename = 'replace_probe'").fetchall())


def table(conn) -> dict[tuple[int, str], tuple[float, object]]:
    rows = conn.execute("select cik, concept, value, xmin::text from raw.replace_probe").fetchall()
    return {(cik, concept): (value, xmin) for cik, concept, value, xmin in rows}


PATHS = pytest.mark.parametrize("rebuild", [False, True], ids=["through_indexes", "rebuild_indexes"])


@PATHS
def test_rerun_writes_nothing_and_a_changed_document_replaces_exactly_its_rows(fresh_db, rebuild: bool) -> None:
    batch = facts(range(1, 11))
    with connect(fresh_db) as conn:
        ensure_tables(conn, [SPEC])
        first = replace_partitions(conn, SPEC, batch, scope=["cik"], source="t", rebuild=rebuild)
        before = table(conn)
        again = replace_partitions(conn, SPEC, batch.sample(fraction=1.0, shuffle=True, seed=3), scope=["cik"],
                                   source="t", rebuild=rebuild)
        after_rerun = table(conn)
        # company 4 refiles: one value restated, one fact withdrawn, one new
        changed = pl.concat([
            batch.filter(pl.col("cik") != 4),
            batch.filter((pl.col("cik") == 4) & (pl.col("concept") != "c7"))
                 .with_columns(pl.when(pl.col("concept") == "c1").then(-1.0).otherwise(pl.col("value")).alias("value")),
            pl.DataFrame([{"cik": 4, "concept": "new", "day": date(2024, 2, 1), "value": 9.0}]),
        ])
        third = replace_partitions(conn, SPEC, changed, scope=["cik"], source="t", rebuild=rebuild)
        after_change = table(conn)
        assert indexes(conn) == PROBE_INDEXES

    assert (first.rows_in, first.inserted, first.updated, first.unchanged) == (500, 500, 0, 0)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 500)
    assert after_rerun == before  # same tuples (xmin): nothing rewritten
    assert (third.inserted, third.updated, third.unchanged) == (0, 50, 450)
    assert {k: v for k, v in after_change.items() if k[0] != 4} == {k: v for k, v in before.items() if k[0] != 4}
    company4 = {k[1]: v[0] for k, v in after_change.items() if k[0] == 4}
    assert len(company4) == 50 and "c7" not in company4 and company4["new"] == 9.0
    assert company4["c1"] == -1.0 and company4["c2"] == 4002.0


@PATHS
def test_failure_mid_partition_rolls_back_and_the_old_rows_remain(fresh_db, rebuild: bool) -> None:
    batch = facts(range(1, 4))
    with connect(fresh_db) as conn:
        ensure_tables(conn, [SPEC])
        replace_partitions(conn, SPEC, batch, scope=["cik"], source="t", rebuild=rebuild)
        before = table(conn)
        broken = batch.with_columns(
            pl.when((pl.col("cik") == 2) & (pl.col("concept") == "c30")).then(None).otherwise(pl.col("value")).alias("value"),
        ).with_columns(pl.when(pl.col("cik") == 1).then(pl.col("value") + 1).otherwise(pl.col("value")).alias("value"))
        with pytest.raises(Exception, match="not-null|null value"):
            replace_partitions(conn, SPEC, broken, scope=["cik"], source="t", rebuild=rebuild)
        conn.rollback()
        after = table(conn)
        kept_indexes = indexes(conn)
        rerun = replace_partitions(conn, SPEC, batch, scope=["cik"], source="t", rebuild=rebuild)
    assert kept_indexes == PROBE_INDEXES  # a dropped index comes back with the rollback
    assert after == before  # company 1's change and company 2's delete were rolled back with the bad row
    assert rerun.unchanged == 150  # and the hashes were rolled back with them


@PATHS
def test_emptied_partition_disappears_and_rows_lost_behind_the_hash_are_rewritten(fresh_db, rebuild: bool) -> None:
    batch = facts(range(1, 4), concepts=5)
    with connect(fresh_db) as conn:
        ensure_tables(conn, [SPEC])
        replace_partitions(conn, SPEC, batch, scope=["cik"], source="t", rebuild=rebuild)
        replace_partitions(conn, SPEC, batch.filter(pl.col("cik") != 3), scope=["cik"], empty_scopes=[(3,)],
                           source="t", rebuild=rebuild)
        per_cik = dict(conn.execute("select cik, count(*) from raw.replace_probe group by cik").fetchall())
        with conn.transaction():
            conn.execute("delete from raw.replace_probe where cik = 1 and concept = 'c0'")
        repaired = replace_partitions(conn, SPEC, batch.filter(pl.col("cik") != 3), scope=["cik"], source="t",
                                      rebuild=rebuild)
        count = conn.execute("select count(*) from raw.replace_probe").fetchone()[0]
    assert per_cik == {1: 5, 2: 5}
    assert repaired.unchanged == 0 and count == 10


def physical(conn) -> tuple[int, int]:
    """The table's file and its primary key's oid: a truncate gives the first a new file, a rebuild the second
    a new oid."""
    return conn.execute(
        "select pg_relation_filenode('raw.replace_probe'), 'raw.replace_probe_pkey'::regclass::oid::bigint"
    ).fetchone()


def test_the_rebuild_is_chosen_when_the_load_outweighs_what_the_table_keeps(fresh_db, monkeypatch) -> None:
    monkeypatch.setattr(rebuild_module, "REBUILD_MIN_ROWS", 100)
    batch = facts(range(1, 11))  # 10 companies x 50 facts
    with connect(fresh_db) as conn:
        ensure_tables(conn, [SPEC])
        conn.execute("create view raw.replace_probe_view as select cik, value from raw.replace_probe")
        conn.commit()
        empty = physical(conn)
        replace_partitions(conn, SPEC, batch, scope=["cik"], source="t")  # empty table: 500 written, 0 kept
        first = physical(conn)
        one_changed = batch.with_columns(pl.when(pl.col("cik") == 4).then(pl.col("value") + 1).otherwise(pl.col("value")))
        replace_partitions(conn, SPEC, one_changed, scope=["cik"], source="t")  # 50 written, 450 kept
        small = physical(conn)
        restated = replace_partitions(conn, SPEC, batch.with_columns(pl.col("value") * 2), scope=["cik"], source="t")
        everything = physical(conn)
        view = conn.execute("select count(*), sum(value) from raw.replace_probe_view").fetchone()
        final = indexes(conn)
    assert first[1] != empty[1]  # first load: indexes built after the COPY
    assert small == first  # a small change goes through the indexes: same file, same primary key
    assert everything[0] != small[0] and everything[1] != small[1]  # every row replaced: truncated and rebuilt
    assert (restated.inserted, restated.updated, restated.deleted) == (0, 500, 500)
    expected = sum(2 * float(c * 1000 + k) for c in range(1, 11) for k in range(50))
    assert view == (500, expected)  # the view on the table still reads it, now the new rows
    assert final == PROBE_INDEXES


OVERLAP = TableSpec(schema="raw", name="replace_overlap", columns={"id": "integer not null", "part": "text not null"},
                    key=("id",))


@PATHS
def test_a_key_colliding_with_a_kept_partition_fails_and_keeps_the_table(fresh_db, rebuild: bool) -> None:
    """The key is not scoped by the partition here: rows of part b that repeat ids of part a violate the
    primary key, at the COPY through the index or at the index build after it; either way nothing changes."""
    def part(name: str, ids: range) -> pl.DataFrame:
        return pl.DataFrame({"id": list(ids), "part": [name] * len(ids)})

    with connect(fresh_db) as conn:
        ensure_tables(conn, [OVERLAP])
        replace_partitions(conn, OVERLAP, pl.concat([part("a", range(1, 11)), part("b", range(11, 21))]),
                           scope=["part"], source="t")
        before = conn.execute("select id, part, xmin::text from raw.replace_overlap order by id").fetchall()
        with pytest.raises(psycopg.errors.UniqueViolation, match="replace_overlap_pkey"):
            replace_partitions(conn, OVERLAP, part("b", range(5, 15)), scope=["part"], source="t", rebuild=rebuild)
        conn.rollback()
        after = conn.execute("select id, part, xmin::text from raw.replace_overlap order by id").fetchall()
        key = conn.execute("select indexdef from pg_indexes where tablename = 'replace_overlap'").fetchall()
    assert after == before
    assert key == [("CREATE UNIQUE INDEX replace_overlap_pkey ON raw.replace_overlap USING btree (id)",)]
