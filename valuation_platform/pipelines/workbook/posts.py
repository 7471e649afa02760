"""The social-posts queue: a draft per valuation alert (and per top opportunity, when the opportunity
scores exist) of the newest valuation date, PENDING_APPROVAL until a manager answers in the workbook. The
platform never posts; a re-run leaves decided posts as they are."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg

from valuation_platform.analytics.workbook.posts import opportunity_text, post_id, valuation_alert_text
from valuation_platform.pipelines.report import load_report, table_report
from valuation_platform.pipelines.workbook.opportunities import top_opportunities
from valuation_platform.warehouse.tables.workbook import SOCIAL_POSTS
from valuation_platform.warehouse.upsert import upsert
from valuation_platform.warehouse.query import fetch_dicts, relation_exists

TOP_OPPORTUNITIES = 5



def latest_valuation_alerts(conn: psycopg.Connection) -> list[dict[str, Any]]:
    if not relation_exists(conn, "marts.fct_valuation_alerts"):
        return []
    return fetch_dicts(conn.execute(
        "select * from marts.fct_valuation_alerts where valuation_date = "
        "(select max(valuation_date) from marts.fct_valuation_alerts) order by abs(change_pct) desc, nse_symbol"))


def draft_posts(conn: psycopg.Connection, *, now: datetime) -> dict[str, Any]:
    drafts: list[dict[str, Any]] = []
    for alert in latest_valuation_alerts(conn):
        day = alert["valuation_date"]
        drafts.append({"post_id": post_id("VALUATION_ALERT", alert["nse_symbol"], day), "post_date": day,
                       "kind": "VALUATION_ALERT", "subject": alert["nse_symbol"], "text": valuation_alert_text(alert)})
    for rank, (symbol, score, day) in enumerate(top_opportunities(conn, TOP_OPPORTUNITIES), start=1):
        drafts.append({"post_id": post_id("OPPORTUNITY", symbol, day), "post_date": day, "kind": "OPPORTUNITY",
                       "subject": symbol, "text": opportunity_text(symbol, score, rank)})
    decided = {r[0] for r in conn.execute(
        "select post_id from analytics.workbook_social_posts where status <> 'PENDING_APPROVAL'").fetchall()}
    fresh = [{**d, "status": "PENDING_APPROVAL", "reviewer": None, "reviewed_at": None, "generated_at": now}
             for d in drafts if d["post_id"] not in decided]
    result = upsert(conn, SOCIAL_POSTS, fresh)
    (waiting,) = conn.execute("select count(*) from analytics.workbook_social_posts "
                              "where status = 'PENDING_APPROVAL'").fetchone()
    return {**table_report(conn, SOCIAL_POSTS.qualified, order_by="post_date desc, post_id"),
            **load_report([result]), "posts_drafted": len(drafts), "posts_waiting_for_approval": waiting,
            "posted_automatically": 0}
