"""One report per table a step wrote: a step that writes two tables backs two assets (one per table, so
each dbt source has its own asset key), and each asset's metadata describes its own table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg

from valuation_platform.pipelines.report import load_report, merge, table_report
from valuation_platform.warehouse.tables import TableSpec
from valuation_platform.warehouse.upsert import UpsertResult

SESSION_ORDER = "trade_date desc, portfolio_id"
Reports = dict[str, dict[str, Any]]  # table name (= asset key) -> its report


def reports_by_table(conn: psycopg.Connection, tables: Sequence[TableSpec], results: Sequence[UpsertResult],
                     order_by: str = SESSION_ORDER, **extra: Any) -> Reports:
    """``{table name (= its asset key): report}`` with the table's preview and what this run loaded into it."""
    return {t.name: merge(table_report(conn, t.qualified, order_by=order_by),
                          load_report([r for r in results if r.table == t.qualified]), extra)
            for t in tables}
