"""Declarations of the tables Python writes (raw.* and analytics.*), and their DDL.

Each domain module under ``warehouse/tables_*`` declares its :class:`TableSpec` objects; the bootstrap
creates them idempotently, and :func:`valuation_platform.warehouse.upsert.upsert` loads into them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from psycopg import sql

# Lineage columns every raw row carries (ARCHITECTURE.md: "Raw rows carry _source, _fetched_at and
# _partition_key").
LINEAGE_COLUMNS: dict[str, str] = {
    "_source": "text not null",
    "_fetched_at": "timestamptz not null",
    "_partition_key": "text",
}


@dataclass(frozen=True)
class TableSpec:
    schema: str
    name: str
    columns: dict[str, str]  # column -> Postgres type (with optional "not null")
    key: tuple[str, ...]  # natural key: the upsert conflict target
    indexes: tuple[tuple[str, ...], ...] = ()
    lineage: bool = True
    comment: str = ""
    _all: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        missing = [k for k in self.key if k not in self.columns]
        if missing:
            raise ValueError(f"{self.qualified}: key columns {missing} are not declared")
        cols = dict(self.columns) | (LINEAGE_COLUMNS if self.lineage else {})
        object.__setattr__(self, "_all", cols)

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def identifier(self) -> sql.Identifier:
        return sql.Identifier(self.schema, self.name)

    @property
    def all_columns(self) -> dict[str, str]:
        return self._all

    def ddl(self) -> list[sql.Composable]:
        cols = [
            sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(pg_type))
            for name, pg_type in self.all_columns.items()
        ]
        cols.append(sql.SQL("primary key ({})").format(sql.SQL(", ").join(map(sql.Identifier, self.key))))
        statements: list[sql.Composable] = [
            sql.SQL("create table if not exists {} ({})").format(self.identifier, sql.SQL(", ").join(cols))
        ]
        for name, pg_type in self.all_columns.items():  # tables created by an older version gain new columns
            statements.append(
                sql.SQL("alter table {} add column if not exists {} {}").format(
                    self.identifier, sql.Identifier(name), sql.SQL(pg_type.replace(" not null", ""))
                )
            )
        for index in self.indexes:
            index_name = f"ix_{self.name}_{'_'.join(index)}"[:63]
            statements.append(
                sql.SQL("create index if not exists {} on {} ({})").format(
                    sql.Identifier(index_name), self.identifier, sql.SQL(", ").join(map(sql.Identifier, index))
                )
            )
        if self.comment:
            statements.append(sql.SQL("comment on table {} is {}").format(self.identifier, sql.Literal(self.comment)))
        return statements


QUARANTINE = TableSpec(
    schema="raw",
    name="quarantine",
    columns={
        "source": "text not null",
        "document": "text not null",
        "reason": "text not null",
        "field": "text",
        "asset_key": "text",
        "excerpt": "text",
        "quarantined_at": "timestamptz not null",
    },
    key=("source", "document"),
    lineage=False,
    comment="Documents that could not be used, with the reason; a later good fetch removes the row.",
)

PARTITION_HASHES = TableSpec(
    schema="raw",
    name="partition_hashes",
    columns={
        "table_name": "text not null",
        "scope": "text not null",  # the partition's scope values, e.g. a CIK or "AAPL|2026-01-05 15:30:00+00:00"
        "content_hash": "text not null",
        "row_count": "integer not null",
        "loaded_at": "timestamptz not null",
    },
    key=("table_name", "scope"),
    lineage=False,
    comment="Content hash of each partition a partition-replacing load wrote, so an unchanged one is not rewritten.",
)
