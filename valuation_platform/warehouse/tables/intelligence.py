"""Tables shared by the intelligence domain (events, LLM driver analysis) and the workbook domain (the
managers' sheet, the approval gate): the queue of discovered drivers and the driver adjustments.

Both are the contract between who proposes a change (the analyzer, a manager's edit) and the driver
hierarchy build that applies it (:mod:`valuation_platform.pipelines.india.drivers`):

* ``analytics.discovered_drivers`` - new drivers an analyzer suggests. They wait as PENDING; a manager
  APPROVES or REJECTS (reviewer, time and note kept). Only APPROVED ones enter the hierarchy, with
  ``updated_by = 'agent_discovery'`` (changelog trigger AGENT_DISCOVERY), at the next drivers build, which
  runs before the daily valuation.
* ``analytics.india_driver_adjustments`` - changes to existing drivers' current value, weight or direction,
  from the analyzer within configured bounds (trigger AGENT_ANALYSIS) or a manager's workbook edit
  (PM_EDIT). Validated before they are written: a REJECTED row keeps its reason and changes nothing.
"""

from __future__ import annotations

from valuation_platform.warehouse.tables import TableSpec

DISCOVERY_STATUSES = ("PENDING", "APPROVED", "REJECTED")
ADJUSTMENT_TRIGGERS = ("PM_EDIT", "AGENT_ANALYSIS")
ADJUSTABLE_FIELDS = ("current_value", "weight", "direction")

DISCOVERED_DRIVERS = TableSpec(
    schema="analytics",
    name="discovered_drivers",
    columns={
        # md5 of level|group|subgroup|company|lower(driver_name): the same suggestion twice is one row
        "discovery_id": "text not null",
        "driver_level": "text not null",  # GROUP / SUBGROUP / COMPANY
        "valuation_group": "text",
        "valuation_subgroup": "text",
        "company": "text",  # NSE symbol (COMPANY level)
        "driver_category": "text not null",  # DEMAND / COST / REGULATORY / OPERATIONAL
        "driver_name": "text not null",  # snake_case
        "suggested_weight": "double precision not null",
        "reasoning": "text not null",
        "source_event_id": "text",
        "confidence": "double precision not null",  # 0..1
        # the level the event reports and the one before (in unit), and the sign of a rise: with both values
        # and a sign the approved driver moves the next valuation; a manager may fill them in tab 7
        "unit": "text",
        "current_value": "double precision",
        "previous_value": "double precision",
        "sensitivity": "integer",  # +1 a rise helps the scope's companies, -1 it hurts
        "analyzer": "text not null",  # 'rule_based' or the LLM model name
        "status": "text not null",  # PENDING / APPROVED / REJECTED
        "suggested_at": "timestamptz not null",
        "reviewer": "text",
        "reviewed_at": "timestamptz",
        "review_note": "text",
        "applied_at": "timestamptz",  # when the drivers build first included it
    },
    key=("discovery_id",),
    indexes=(("status",),),
    comment="Drivers suggested by the event analyzer, waiting for (or after) a manager's approval",
)

DRIVER_ADJUSTMENTS = TableSpec(
    schema="analytics",
    name="india_driver_adjustments",
    columns={
        "adjustment_id": "text not null",  # md5 of trigger|source_ref|driver_key|field|value
        "driver_key": "text not null",  # analytics.india_drivers.driver_key
        "field": "text not null",  # current_value / weight / direction
        "value_number": "double precision",  # current_value, weight
        "value_text": "text",  # direction (UP / DOWN / STABLE)
        "trigger": "text not null",  # PM_EDIT / AGENT_ANALYSIS
        "source_ref": "text not null",  # event id, or sheet!cell of the edit
        "reason": "text",
        "requested_by": "text",
        "requested_at": "timestamptz not null",
        "status": "text not null",  # APPLIED / REJECTED
        "rejection_reason": "text",
    },
    key=("adjustment_id",),
    indexes=(("driver_key", "requested_at"),),
    comment="Changes to existing drivers from managers' edits and the analyzer, applied by the drivers build",
)

NEWS_ITEMS = TableSpec(
    schema="raw",
    name="news_items",
    columns={
        "url": "text not null",  # the item's link (the guid when the link is missing)
        "content_hash": "text not null",  # sha256 of normalised title + summary: the same text under two URLs
        "feed": "text not null",  # the configured feed name (rbi_press_releases, sebi, pib, economic_times ...)
        "publisher": "text not null",  # RBI / SEBI / PIB / NEWS
        "feed_url": "text not null",
        "guid": "text",
        "title": "text not null",
        "summary": "text",
        "published_at": "timestamptz",  # RSS pubDate / Atom published|updated, null when the feed gives none
        "categories": "jsonb",  # _fetched_at: when the item (or its last change) was first seen
    },
    key=("url",),
    indexes=(("content_hash",), ("published_at",)),
    comment="Items of the configured news, RBI, SEBI and PIB RSS/Atom feeds, one row per item URL",
)

EVENT_ANALYSES = TableSpec(
    schema="analytics",
    name="event_analyses",
    columns={
        "event_id": "text not null",  # marts.fct_news_events.event_id
        "analyzer": "text not null",  # 'rule_based' or the LLM model name
        "prompt_version": "text not null",
        "content_hash": "text not null",
        "summary": "text not null",
        "key_points": "jsonb not null",
        "risks": "jsonb not null",
        "driver_impacts": "jsonb not null",  # [{driver_key, direction, magnitude, confidence, rationale}]
        "suggested_drivers": "jsonb not null",
        "prompt_tokens": "integer not null",
        "completion_tokens": "integer not null",
        "cost_usd": "double precision not null",
        "cached": "boolean not null",  # answered from analytics.llm_cache (no model call this run)
        "analyzed_at": "timestamptz not null",
    },
    key=("event_id",),
    comment="Research summary and driver-impact analysis of each news event (rule-based or LLM)",
)

POLICY_UPDATES = TableSpec(
    schema="analytics",
    name="policy_updates",
    columns={
        "event_id": "text not null",
        "regulator": "text not null",  # RBI / SEBI / PIB
        "stance": "text not null",  # HAWKISH / DOVISH / NEUTRAL
        "impacted_sectors": "jsonb not null",  # valuation groups
        "confidence": "double precision not null",
        "rationale": "text not null",
        "analyzer": "text not null",
        "analyzed_at": "timestamptz not null",
    },
    key=("event_id",),
    comment="Policy stance of each RBI, SEBI and PIB release, with the sectors it touches",
)

LLM_CACHE = TableSpec(
    schema="analytics",
    name="llm_cache",
    columns={
        "cache_key": "text not null",  # sha256(model|prompt version|content)
        "model": "text not null",
        "prompt_version": "text not null",
        "response": "jsonb not null",  # the validated structured output
        "prompt_tokens": "integer not null",
        "completion_tokens": "integer not null",
        "cost_usd": "double precision not null",
        "created_at": "timestamptz not null",
    },
    key=("cache_key",),
    lineage=False,
    comment="Validated LLM answers by model, prompt version and content: a re-run does not call the model again",
)

INTELLIGENCE_TABLES = (DISCOVERED_DRIVERS, DRIVER_ADJUSTMENTS)
ANALYSIS_TABLES = (EVENT_ANALYSES, POLICY_UPDATES, LLM_CACHE, DISCOVERED_DRIVERS, DRIVER_ADJUSTMENTS)
