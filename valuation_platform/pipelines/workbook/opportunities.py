"""The top opportunities of ``marts.fct_opportunity_scores`` (the valuation domain's mart: one row per group
or subgroup and date), read only when it exists: the workbook domain builds and runs without it."""

from __future__ import annotations

from datetime import date

import psycopg

from valuation_platform.warehouse.query import relation_exists

RELATION = "marts.fct_opportunity_scores"


def top_opportunities(conn: psycopg.Connection, limit: int) -> list[tuple[str, float, date]]:
    """``[("GROUP FINANCIALS" / "SUBGROUP FINANCIALS_BANKS", score, date)]`` of the newest score date, best
    first (the scopes flagged for priority re-valuation come first); empty when the mart is absent."""
    if not relation_exists(conn, RELATION):
        return []
    rows = conn.execute(
        "select scope_level || ' ' || scope, opportunity_score, score_date from marts.fct_opportunity_scores "
        "where score_date = (select max(score_date) from marts.fct_opportunity_scores) "
        "and opportunity_score is not null order by is_priority desc, opportunity_score desc, scope limit %s",
        (limit,)).fetchall()
    return [(s, float(v), d) for s, v, d in rows]
