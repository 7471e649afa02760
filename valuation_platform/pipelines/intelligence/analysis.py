"""Event analysis: each new event of marts.fct_news_events through the analyzer, and what it says written down.

* analytics.event_analyses: summary, key points, risks, the driver impacts and suggestions as answered, the
  analyzer that ran, tokens and cost;
* analytics.policy_updates: the stance of each RBI, SEBI and PIB release;
* analytics.india_driver_adjustments (trigger AGENT_ANALYSIS): each impact APPLIED within the bounds
  (analytics.intelligence.bounds) or REJECTED with its reason; the drivers build applies the APPLIED ones;
* analytics.discovered_drivers: suggestions as PENDING, unless the hierarchy holds that driver in the same
  scope or the queue already has it (whatever its status: a manager's verdict is never reset).

An answer that is refused, cut short or fails the schema is quarantined (document ``event:<id>``) and writes
nothing; the event stays new, so the next run asks again. "New" = no analysis row yet.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import psycopg

from valuation_platform.analytics.intelligence.bounds import Bounds, decide
from valuation_platform.analytics.intelligence.rules import Event
from valuation_platform.analytics.intelligence.schema import PROMPT_VERSION, EventAnalysis
from valuation_platform.pipelines.intelligence.analyzers import Analyzer, LlmAnalyzer, Outcome, RuleAnalyzer
from valuation_platform.pipelines.item_quarantine import refresh_quarantine
from valuation_platform.pipelines.report import Markdown, markdown_table, quarantine_report, table_report
from valuation_platform.sources.errors import FetchError, SourceError, SourceUnavailable
from valuation_platform.sources.llm.client import SOURCE as LLM_SOURCE
from valuation_platform.sources.llm.client import StructuredChat
from valuation_platform.warehouse.tables.intelligence import (
    DISCOVERED_DRIVERS,
    DRIVER_ADJUSTMENTS,
    EVENT_ANALYSES,
    POLICY_UPDATES,
)
from valuation_platform.warehouse.upsert import UpsertResult, upsert

TRIGGER = "AGENT_ANALYSIS"
EVENT_LIMIT = 500  # events per run: a backlog drains over a few hourly runs instead of one long one


def md5(*parts: Any) -> str:
    return hashlib.md5("|".join("" if p is None else str(p) for p in parts).encode()).hexdigest()


def _relation_exists(conn: psycopg.Connection, name: str) -> bool:
    return conn.execute("select to_regclass(%s) is not null", (name,)).fetchone()[0]  # type: ignore[index]


def read_new_events(conn: psycopg.Connection, limit: int = EVENT_LIMIT) -> list[Event]:
    rows = conn.execute(
        "select e.event_id, e.title, e.summary, e.source, e.companies, e.groups, e.subgroups, e.content_hash"
        " from marts.fct_news_events e"
        " where not exists (select 1 from analytics.event_analyses a where a.event_id = e.event_id)"
        " order by e.published_at nulls last, e.event_id limit %s",
        (limit,),
    ).fetchall()
    return [Event(r[0], r[1], r[2], r[3], tuple(r[4] or ()), tuple(r[5] or ()), tuple(r[6] or ()), r[7] or "")
            for r in rows]


def read_drivers(conn: psycopg.Connection) -> list[dict[str, Any]]:
    """The hierarchy as the analyzer sees it (empty before the India domain first built it)."""
    if not _relation_exists(conn, "analytics.india_drivers"):
        return []
    cur = conn.execute(
        "select driver_key, driver_level, valuation_group, valuation_subgroup, company, driver_category,"
        " driver_name, series_id, unit, current_value, direction from analytics.india_drivers"
        " order by driver_level = 'MACRO' desc, weight desc nulls last, driver_key"
    )
    names = [d.name for d in cur.description or []]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def candidates(event: Event, drivers: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """MACRO drivers, then those of the event's groups, subgroups and companies (all GROUP/SUBGROUP ones when
    the event names no company: a policy release concerns sectors, not a company)."""
    def concerns(d: Mapping[str, Any]) -> bool:
        if d["driver_level"] == "MACRO":
            return True
        if d["driver_level"] == "COMPANY":
            return d.get("company") in event.companies
        return not event.groups or d.get("valuation_group") in event.groups
    return [d for d in drivers if concerns(d)]


def _analysis_row(event: Event, analyzer: str, outcome: Outcome, now: datetime) -> dict[str, Any]:
    a = outcome.analysis
    return {
        "event_id": event.event_id, "analyzer": analyzer, "prompt_version": PROMPT_VERSION,
        "content_hash": event.content_hash, "summary": a.summary, "key_points": a.key_points,
        "risks": a.risks, "driver_impacts": [i.model_dump() for i in a.driver_impacts],
        "suggested_drivers": [s.model_dump() for s in a.suggested_drivers],
        "prompt_tokens": outcome.prompt_tokens, "completion_tokens": outcome.completion_tokens,
        "cost_usd": outcome.cost_usd, "cached": outcome.cached, "analyzed_at": now,
    }


def _adjustment_rows(event: Event, analysis: EventAnalysis, by_key: Mapping[str, Mapping[str, Any]],
                     bounds: Bounds, analyzer: str, now: datetime) -> list[dict[str, Any]]:
    rows = []
    for impact in analysis.driver_impacts:
        d = decide(impact, by_key.get(impact.driver_key), bounds)
        value = d.value_number if d.value_text is None else d.value_text
        rows.append({
            "adjustment_id": md5(TRIGGER, event.event_id, d.driver_key, d.field, value),
            "driver_key": d.driver_key, "field": d.field, "value_number": d.value_number,
            "value_text": d.value_text, "trigger": TRIGGER, "source_ref": event.event_id,
            "reason": f"{impact.direction} {impact.magnitude:g} (confidence {impact.confidence:.2f}): "
                      f"{impact.rationale}",
            "requested_by": analyzer, "requested_at": now, "status": d.status, "rejection_reason": d.rejection_reason,
        })
    return rows


def _discovery_rows(event: Event, analysis: EventAnalysis, existing: set[tuple[Any, ...]], analyzer: str,
                    now: datetime) -> list[dict[str, Any]]:
    rows = []
    for s in analysis.suggested_drivers:
        scope = (s.level, s.valuation_group, s.valuation_subgroup, s.company)
        if (*scope, s.name.lower()) in existing:
            continue
        existing.add((*scope, s.name.lower()))
        rows.append({
            "discovery_id": md5(*scope, s.name.lower()), "driver_level": s.level,
            "valuation_group": s.valuation_group, "valuation_subgroup": s.valuation_subgroup, "company": s.company,
            "driver_category": s.category, "driver_name": s.name, "suggested_weight": s.suggested_weight,
            "reasoning": s.reasoning, "source_event_id": event.event_id, "confidence": s.confidence,
            "unit": s.unit, "current_value": s.current_value, "previous_value": s.previous_value,
            "sensitivity": s.sensitivity, "analyzer": analyzer, "status": "PENDING", "suggested_at": now,
        })
    return rows


def _known_scopes(conn: psycopg.Connection, drivers: Sequence[Mapping[str, Any]]) -> set[tuple[Any, ...]]:
    """(level, group, subgroup, company, lower(name)) of every driver and every suggestion already queued."""
    known = {(d["driver_level"], d.get("valuation_group"), d.get("valuation_subgroup"), d.get("company"),
              d["driver_name"].lower()) for d in drivers}
    known |= set(conn.execute(
        "select driver_level, valuation_group, valuation_subgroup, company, lower(driver_name)"
        " from analytics.discovered_drivers").fetchall())
    return known


def _new_only(conn: psycopg.Connection, table: str, key: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ids = [r[key] for r in rows]
    stored = {r[0] for r in conn.execute(f"select {key} from {table} where {key} = any(%s)", (ids,)).fetchall()}
    return [r for r in rows if r[key] not in stored]


def analyze_events(conn: psycopg.Connection, analyzer: Analyzer, bounds: Bounds, *, asset_key: str,
                   now: datetime, limit: int = EVENT_LIMIT) -> dict[str, Any]:
    events = read_new_events(conn, limit)
    drivers = read_drivers(conn)
    by_key = {d["driver_key"]: d for d in drivers}
    known = _known_scopes(conn, drivers)
    analyses, policies, adjustments, discoveries = [], [], [], []
    rejected: list[SourceError] = []
    outcomes: list[Outcome] = []
    for event in events:
        try:
            outcome = analyzer(event, candidates(event, drivers))
        except SourceError as error:  # refused, truncated, invalid, or unreachable: nothing of it is applied
            rejected.append(error)
            continue
        outcomes.append(outcome)
        a = outcome.analysis
        analyses.append(_analysis_row(event, analyzer.name, outcome, now))
        if a.policy is not None and event.is_policy:
            policies.append({"event_id": event.event_id, "regulator": event.publisher, "stance": a.policy.stance,
                             "impacted_sectors": a.policy.impacted_sectors, "confidence": a.policy.confidence,
                             "rationale": a.policy.rationale, "analyzer": analyzer.name, "analyzed_at": now})
        adjustments += _adjustment_rows(event, a, by_key, bounds, analyzer.name, now)
        discoveries += _discovery_rows(event, a, known, analyzer.name, now)
    if events and len(rejected) == len(events) and all(isinstance(e, FetchError) for e in rejected):
        # the endpoint answered none of them: fail (retryably) rather than quarantine every event
        raise SourceUnavailable(LLM_SOURCE, f"no answer for any of {len(events)} events: {rejected[0]}",
                                retryable=True)
    with conn.transaction():  # an analysis lands with its adjustments and suggestions, or none of them does
        results = [
            upsert(conn, EVENT_ANALYSES, analyses, source=analyzer.name),
            upsert(conn, POLICY_UPDATES, policies, source=analyzer.name),
            upsert(conn, DRIVER_ADJUSTMENTS,
                   _new_only(conn, DRIVER_ADJUSTMENTS.qualified, "adjustment_id", adjustments), source=analyzer.name),
            upsert(conn, DISCOVERED_DRIVERS,
                   _new_only(conn, DISCOVERED_DRIVERS.qualified, "discovery_id", discoveries), source=analyzer.name),
        ]
    refresh_quarantine(conn, source=LLM_SOURCE, asset_key=asset_key, documents=[f"event:{e.event_id}" for e in events],
                       errors=rejected)
    return _report(conn, analyzer.name, events, outcomes, results, adjustments, rejected)


def _report(conn: psycopg.Connection, analyzer: str, events: Sequence[Event], outcomes: Sequence[Outcome],
            results: Sequence[UpsertResult], adjustments: Sequence[Mapping[str, Any]],
            rejected: Sequence[SourceError]) -> dict[str, Any]:
    applied = [a for a in adjustments if a["status"] == "APPLIED"]
    fresh = [o for o in outcomes if not o.cached]
    report: dict[str, Any] = {
        **table_report(conn, EVENT_ANALYSES.qualified, order_by="analyzed_at desc, event_id"),
        "dagster/row_count": results[0].rows_in,
        "analyzer": analyzer,
        "events_new": len(events),
        "events_analyzed": len(outcomes),
        "answers_from_cache": len(outcomes) - len(fresh),
        "prompt_tokens": sum(o.prompt_tokens for o in fresh),
        "completion_tokens": sum(o.completion_tokens for o in fresh),
        "cost_usd": round(sum(o.cost_usd for o in fresh), 9),
        # the policy_updates asset's own report (the step writes both tables)
        "policy_updates": {**table_report(conn, POLICY_UPDATES.qualified, order_by="analyzed_at desc, event_id"),
                           "dagster/row_count": results[1].rows_in},
        "adjustments_applied": len(applied),
        "adjustments_rejected": len(adjustments) - len(applied),
        "adjustments_new": results[2].rows_in,
        "discoveries_pending_new": results[3].rows_in,
        **quarantine_report(list(rejected), len(events)),
    }
    if adjustments:
        report["adjustments"] = Markdown(markdown_table(
            ["driver_key", "field", "value", "status", "why not"],
            [(a["driver_key"], a["field"], a["value_number"] if a["value_text"] is None else a["value_text"],
              a["status"], a["rejection_reason"]) for a in adjustments[:20]]))
    return report


def run_analysis(conn: psycopg.Connection, chat: StructuredChat | None, bounds: Bounds, *, asset_key: str,
                 now: datetime) -> dict[str, Any]:
    """The LLM when a chat client is configured (an API key is set), the rules otherwise; the report's
    ``analyzer`` says which ran."""
    analyzer: Analyzer = LlmAnalyzer(chat, conn, now) if chat is not None else RuleAnalyzer()
    report = analyze_events(conn, analyzer, bounds, asset_key=asset_key, now=now)
    if chat is not None:
        report["llm_http_attempts"] = chat.calls
    return report
