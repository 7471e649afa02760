"""The workbook's tabs, as the old system laid them out, built from the warehouse.

Each tab is a header row plus rows. Editable tabs carry a key column (first), the editable columns and a
``Status`` column the platform writes back ("applied <time>" / "rejected: <reason>"). The rolling tabs
(valuation history, driver history, event log) hold the last 30 days up to the newest valuation date;
older rows leave the workbook for ``analytics.workbook_archive``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import psycopg
from psycopg import sql

from valuation_platform.warehouse.query import relation_exists

STATUS = "Status"
ROLLING_DAYS = 30


@dataclass(frozen=True)
class Tab:
    name: str
    columns: tuple[str, ...]
    key: str | None = None  # the row key column of an editable tab
    editable: tuple[str, ...] = ()
    date_column: str | None = None  # rolling tabs: rows older than ROLLING_DAYS are archived
    query: str = ""  # %(since)s = the first day kept on a rolling tab
    relations: tuple[str, ...] = ()  # what the query reads: a tab whose relation is absent is written empty

    @property
    def header(self) -> list[str]:
        return [*self.columns, STATUS] if self.editable else list(self.columns)


DRIVER_COLUMNS = ("weight", "current_value", "previous_value", "direction", "unit", "series_id", "as_of",
                  "updated_at", "updated_by")
DRIVER_EDITABLE = ("weight", "current_value", "direction")


def _driver_tab(name: str, level: str, scope: tuple[str, ...]) -> Tab:
    columns = ("driver_key", *scope, "driver_category", "driver_name", *DRIVER_COLUMNS)
    order = ", ".join((*scope, "driver_key"))
    return Tab(name, columns, key="driver_key", editable=DRIVER_EDITABLE, relations=("analytics.india_drivers",),
               query=f"select {', '.join(columns)} from analytics.india_drivers "
                     f"where driver_level = '{level}' order by {order}")


MACRO = Tab(
    "Macro Drivers",
    ("driver_key", "driver_name", "category", "unit", "source", "frequency", "impact", "tier", "weight",
     "current_value", "previous_value", "direction", "bull_value", "base_value", "bear_value", "series_id",
     "as_of", "updated_at", "updated_by"),
    key="driver_key", editable=DRIVER_EDITABLE, relations=("analytics.india_drivers", "marts.india_macro_drivers"),
    query="select d.driver_key, d.driver_name, d.driver_category as category, d.unit, m.source, "
          "m.update_frequency as frequency, m.impact_description as impact, d.tier, d.weight, d.current_value, "
          "d.previous_value, d.direction, d.bull_value, d.base_value, d.bear_value, d.series_id, d.as_of, "
          "d.updated_at, d.updated_by from analytics.india_drivers d "
          "left join marts.india_macro_drivers m on m.driver_name = d.driver_name "
          "where d.driver_level = 'MACRO' order by d.weight desc nulls last, d.driver_key",
)
GROUP = _driver_tab("Valuation Group Drivers", "GROUP", ("valuation_group",))
SUBGROUP = _driver_tab("Valuation Subgroup Drivers", "SUBGROUP", ("valuation_group", "valuation_subgroup"))
COMPANY = _driver_tab("Company Drivers", "COMPANY", ("company", "alpha_config_id", "valuation_group",
                                                     "valuation_subgroup"))
VALUATIONS = Tab(
    "Valuation History",
    ("valuation_date", "nse_symbol", "model", "valuation_group", "valuation_subgroup",
     "intrinsic_value_per_share", "cmp", "upside_pct", "discount_rate", "terminal_growth"),
    date_column="valuation_date", relations=("marts.fct_valuations",),
    query="select valuation_date, nse_symbol, model, valuation_group, valuation_subgroup, "
          "intrinsic_value_per_share, cmp, upside_pct, discount_rate, terminal_growth from marts.fct_valuations "
          "where scenario = 'base' and valuation_date >= %(since)s order by valuation_date desc, nse_symbol",
)
DRIVER_HISTORY = Tab(
    "Driver History",
    ("changed_at", "driver_key", "change_type", "changed_fields", "old_value", "new_value", "old_weight",
     "new_weight", "old_direction", "new_direction", "triggered_by"),
    date_column="changed_at", relations=("marts.fct_driver_changelog",),
    query="select changed_at, driver_key, change_type, changed_fields, old_value, new_value, old_weight, "
          "new_weight, old_direction, new_direction, triggered_by from marts.fct_driver_changelog "
          "where changed_at >= %(since)s order by changed_at desc, driver_key",
)
DISCOVERY_VALUES = ("previous_value", "current_value")
DISCOVERED = Tab(
    "Discovered Drivers",
    ("discovery_id", "suggested_at", "driver_level", "valuation_group", "valuation_subgroup", "company",
     "driver_category", "driver_name", "suggested_weight", "confidence", "reasoning", "source_event_id",
     "analyzer", "unit", *DISCOVERY_VALUES, "sensitivity", "state", "decision", "reviewer", "note",
     "reviewed_at", "applied_at"),
    # a PENDING row's values can be set or corrected before (or with) the approval: they make it move values
    key="discovery_id", editable=(*DISCOVERY_VALUES, "decision", "reviewer", "note"),
    relations=("analytics.discovered_drivers",),
    # the queue: every PENDING suggestion, and decisions of the rolling window
    query="select discovery_id, suggested_at, driver_level, valuation_group, valuation_subgroup, company, "
          "driver_category, driver_name, suggested_weight, confidence, reasoning, source_event_id, analyzer, "
          "unit, previous_value, current_value, sensitivity, "
          "status as state, case status when 'APPROVED' then 'APPROVE' when 'REJECTED' then 'REJECT' end "
          "as decision, reviewer, review_note as note, reviewed_at, applied_at from analytics.discovered_drivers "
          "where status = 'PENDING' or reviewed_at >= %(since)s "
          "order by status <> 'PENDING', suggested_at desc, discovery_id",
)
EVENTS = Tab("Event Log", ())  # columns: whatever marts.fct_news_events holds (intelligence)
POSTS = Tab(
    "Social Posts",
    ("post_id", "post_date", "kind", "subject", "text", "state", "approve", "reviewer", "reviewed_at"),
    key="post_id", editable=("approve", "reviewer"), relations=("analytics.workbook_social_posts",),
    query="select post_id, post_date, kind, subject, text, status as state, "
          "case status when 'APPROVED' then 'YES' when 'REJECTED' then 'NO' end as approve, reviewer, "
          "reviewed_at from analytics.workbook_social_posts "
          "where status = 'PENDING_APPROVAL' or post_date >= %(since)s order by post_date desc, post_id",
)
TABS: tuple[Tab, ...] = (MACRO, GROUP, SUBGROUP, COMPANY, VALUATIONS, DRIVER_HISTORY, DISCOVERED, EVENTS, POSTS)
DRIVER_TABS = (MACRO, GROUP, SUBGROUP, COMPANY)
EDITABLE_TABS = tuple(t for t in TABS if t.editable)
ROLLING_TABS = (VALUATIONS, DRIVER_HISTORY, EVENTS)
EVENTS_RELATION = "marts.fct_news_events"
EVENT_DATE_COLUMNS = ("event_date", "published_at", "event_at", "detected_at", "published_date")



def anchor_date(conn: psycopg.Connection, today: date) -> date:
    """The rolling tabs' last day: the newest valuation date (a backfilled or sample warehouse keeps its
    history visible), or today without valuations."""
    if relation_exists(conn, "marts.fct_valuations"):
        (latest,) = conn.execute("select max(valuation_date) from marts.fct_valuations").fetchone()
        if latest is not None:
            return latest
    return today


def _rows(conn: psycopg.Connection, query: str | sql.Composable, since: date) -> tuple[list[str], list[list[Any]]]:
    cur = conn.execute(query, {"since": since})
    return [d.name for d in cur.description or []], [list(r) for r in cur.fetchall()]


def event_rows(conn: psycopg.Connection, since: date) -> tuple[list[str], list[list[Any]], str | None]:
    """The intelligence domain's material news events of the window (its columns as it declares them), or
    nothing when that domain has not run here."""
    if not relation_exists(conn, EVENTS_RELATION):
        return [], [], None
    cur = conn.execute(sql.SQL("select * from {} limit 0").format(sql.Identifier("marts", "fct_news_events")))
    columns = [d.name for d in cur.description or []]
    when = next((c for c in EVENT_DATE_COLUMNS if c in columns), None)
    query = sql.SQL("select * from {}{}").format(
        sql.Identifier("marts", "fct_news_events"),
        sql.SQL(" where {} >= %(since)s order by {} desc").format(sql.Identifier(when), sql.Identifier(when))
        if when else sql.SQL(""))
    header, rows = _rows(conn, query, since)
    return header, rows, when


Status = Callable[[str, str], str]  # (tab, row_key) -> the Status text last written


def build_tabs(conn: psycopg.Connection, *, today: date, status: Status) -> tuple[dict[str, list[list[Any]]], date]:
    """``({tab: [header, *rows]}, first day of the rolling window)``. A tab whose relation does not exist
    (a domain that never ran here) is written with its header only."""
    since = anchor_date(conn, today) - timedelta(days=ROLLING_DAYS)
    out: dict[str, list[list[Any]]] = {}
    for tab in TABS:
        if tab is EVENTS:
            header, rows, _ = event_rows(conn, since)
            out[tab.name] = [header or ["event"], *rows]
            continue
        present = all(relation_exists(conn, r) for r in tab.relations)
        rows = _rows(conn, tab.query, since)[1] if present else []
        if tab.editable:
            key_at = tab.columns.index(tab.key or "")
            rows = [[*row, status(tab.name, str(row[key_at]))] for row in rows]
        out[tab.name] = [tab.header, *rows]
    return out, since


def row_date(value: Any) -> date | None:
    """The date of a rolling tab's date cell (a date, a timestamp or their ISO text)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def header_index(values: Sequence[Sequence[Any]], column: str) -> int | None:
    header = [str(h) for h in values[0]] if values else []
    return header.index(column) if column in header else None
