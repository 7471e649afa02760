"""The Sunday review (the old xyOps weekly pipeline): the week's trend signals, the drivers in a structural shift,
the opportunity ranking, the week's valuation and materiality alerts, written as one summary per week.

Reads the marts (``marts.fct_driver_trend_signals``, ``fct_driver_trajectories``, ``fct_opportunity_scores``,
``fct_valuation_alerts``, ``fct_materiality_alerts``); a mart that was never built is reported as such and
its section stays empty. Writes ``analytics.india_weekly_reviews`` (the week's rows replaced: re-runs are
idempotent).

The week is the 7 days ending on ``week_ending``; by default the latest valuation date on or before today (in
production the Sunday's Friday session; on an archive or sample warehouse its own last week).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import psycopg

from valuation_platform.pipelines.report import Markdown, load_report, markdown_table, merge, table_report
from valuation_platform.warehouse.query import relation_exists
from valuation_platform.warehouse.tables.valuation import INDIA_WEEKLY_REVIEWS
from valuation_platform.warehouse.upsert import upsert

TOP = 5
# section -> (mart, query over the week [start, end]: subject, headline, value)
SECTIONS: dict[str, tuple[str, str]] = {
    "trend_signals": ("fct_driver_trend_signals", """
        select driver_key, signal_description, reading - reading_90d
        from marts.fct_driver_trend_signals where signal_date between %(start)s and %(end)s
        order by signal_date desc, driver_key"""),
    "structural_shifts": ("fct_driver_trajectories", """
        select driver_key, format('%%s %%s since %%s: %%s over 90 days', driver_name, lower(trend_direction),
               observed_on - 90, round(change_90d::numeric, 2)), change_90d
        from marts.fct_driver_trajectories where trend_signal = 'STRUCTURAL_SHIFT'
        order by abs(change_90d) desc nulls last, driver_key"""),
    "opportunities": ("fct_opportunity_scores", """
        select scope_level || ' ' || scope,
               format('score %%s: upside %%s%%%%, momentum %%s, tailwind %%s, volatility %%s%%%% (%%s)',
                      round(opportunity_score::numeric, 2), round((valuation_upside * 100)::numeric, 1),
                      round(driver_momentum::numeric, 2), round(macro_tailwind::numeric, 2),
                      round((volatility * 100)::numeric, 1), score_date), opportunity_score
        from marts.fct_opportunity_scores
        where is_priority and score_date = (select max(score_date) from marts.fct_opportunity_scores
                                            where score_date <= %(end)s)
        order by scope_level, score_rank"""),
    "valuation_alerts": ("fct_valuation_alerts", """
        select nse_symbol, format('%%s %%s%%%% on %%s (main driver %%s)', direction, round(change_pct::numeric, 1),
               valuation_date, coalesce(main_driver, main_factor)), change_pct
        from marts.fct_valuation_alerts where valuation_date between %(start)s and %(end)s
        order by abs(change_pct) desc, nse_symbol"""),
    "materiality_alerts": ("fct_materiality_alerts", """
        select alert_type, format('%%s alerts, %%s HIGH', count(*), count(*) filter (where severity = 'HIGH')),
               count(*)::double precision
        from marts.fct_materiality_alerts where alert_date between %(start)s and %(end)s
        group by alert_type order by alert_type"""),
}


def default_week_ending(conn: psycopg.Connection, today: date) -> date:
    if not relation_exists(conn, "marts.fct_valuations"):
        return today
    latest = conn.execute("select max(valuation_date) from marts.fct_valuations where valuation_date <= %s",
                          (today,)).fetchone()[0]
    return latest or today


def weekly_review(conn: psycopg.Connection, week_ending: date | None = None, *, today: date | None = None
                  ) -> dict[str, Any]:
    """Summarise the week ending ``week_ending`` (default: :func:`default_week_ending` of ``today``) into
    analytics.india_weekly_reviews; returns the report."""
    if week_ending is None:
        week_ending = default_week_ending(conn, today or date.today())
    start = week_ending - timedelta(days=6)
    rows: list[dict[str, Any]] = []
    missing: list[str] = []
    counts: dict[str, int] = {}
    for section, (mart, query) in SECTIONS.items():
        if not relation_exists(conn, f"marts.{mart}"):
            missing.append(mart)
            continue
        found = conn.execute(query, {"start": start, "end": week_ending}).fetchall()
        counts[section] = len(found)
        rows += [{"week_ending": week_ending, "section": section, "position": i + 1, "subject": subject,
                  "headline": headline, "value": value} for i, (subject, headline, value) in enumerate(found)]
    conn.execute("delete from analytics.india_weekly_reviews where week_ending = %s", (week_ending,))
    result = upsert(conn, INDIA_WEEKLY_REVIEWS, rows)
    return merge(table_report(conn, INDIA_WEEKLY_REVIEWS.qualified, order_by="week_ending desc, section, position"),
                 load_report([result]), {
                     "week": f"{start} to {week_ending}",
                     "summary": summary(rows, start, week_ending),
                     **{f"{section}_count": n for section, n in counts.items()},
                     **({"marts_not_built": ", ".join(missing)} if missing else {}),
                 })


def summary(rows: Sequence[dict[str, Any]], start: date, end: date) -> Markdown:
    """The review as the managers read it: each section's first ``TOP`` lines (counts say how many more)."""
    parts = [f"## Weekly review {start} to {end}"]
    for section in SECTIONS:
        mine = [r for r in rows if r["section"] == section]
        title = section.replace("_", " ").capitalize()
        if not mine:
            parts.append(f"### {title}\nnone")
            continue
        more = f"\n{len(mine) - TOP} more in analytics.india_weekly_reviews" if len(mine) > TOP else ""
        parts.append(f"### {title}\n" + markdown_table(["subject", "headline"],
                                                      [(r["subject"], r["headline"]) for r in mine[:TOP]]) + more)
    return Markdown("\n\n".join(parts))
