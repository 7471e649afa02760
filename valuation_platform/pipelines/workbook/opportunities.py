"""The top opportunities of ``marts.fct_opportunity_scores`` (the valuation domain's mart), read only when
it exists: the workbook domain builds and runs without it."""

from __future__ import annotations

from datetime import date

import psycopg
from psycopg import sql

from valuation_platform.warehouse.query import relation_exists

RELATION = "marts.fct_opportunity_scores"
DATE_COLUMNS = ("score_date", "as_of_date", "valuation_date")
SCORE_COLUMNS = ("opportunity_score", "score")


def top_opportunities(conn: psycopg.Connection, limit: int) -> list[tuple[str, float, date]]:
    """``[(nse_symbol, score, date)]`` of the newest date, best first; empty when the mart is absent or
    lacks the columns this reads."""
    if not relation_exists(conn, RELATION):
        return []
    cur = conn.execute(sql.SQL("select * from {} limit 0").format(sql.Identifier("marts", "fct_opportunity_scores")))
    columns = {d.name for d in cur.description or []}
    day = next((c for c in DATE_COLUMNS if c in columns), None)
    score = next((c for c in SCORE_COLUMNS if c in columns), None)
    if "nse_symbol" not in columns or day is None or score is None:
        return []
    query = sql.SQL("select nse_symbol, {score}, {day} from {table} where {day} = (select max({day}) from {table}) "
                    "and {score} is not null order by {score} desc, nse_symbol limit %s").format(
        score=sql.Identifier(score), day=sql.Identifier(day),
        table=sql.Identifier("marts", "fct_opportunity_scores"))
    return [(s, float(v), d) for s, v, d in conn.execute(query, (limit,)).fetchall()]
