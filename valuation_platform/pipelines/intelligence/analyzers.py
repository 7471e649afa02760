"""The two analyzers behind one call: the LLM (an API key is configured) or the rules (none is).

Both answer :class:`EventAnalysis`. The LLM's answers are cached in analytics.llm_cache under
sha256(model | prompt version | prompt), so re-analysing an event whose text and candidate drivers did not
change costs no model call; only validated answers are cached (a rejected one is asked again next run).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import psycopg

from valuation_platform.analytics.intelligence import rules
from valuation_platform.analytics.intelligence.rules import Event
from valuation_platform.analytics.intelligence.schema import PROMPT_VERSION, EventAnalysis
from valuation_platform.sources.llm.client import StructuredChat
from valuation_platform.warehouse.tables.intelligence import LLM_CACHE
from valuation_platform.warehouse.upsert import upsert

MAX_CANDIDATES = 80  # drivers listed in a prompt: MACRO first, then the event's groups

SYSTEM_PROMPT = """You are an equity research analyst covering Indian listed companies.
Given one news item or regulator release and the valuation drivers it may concern, answer with:
- summary: two sentences; key_points: the facts with numbers; risks: what could go wrong for investors;
- driver_impacts: only drivers from the list (use their driver_key exactly) that this event moves, with
  direction UP/DOWN, magnitude in the driver's own unit (percentage points for percent drivers; 0 when the
  size is not stated), confidence 0..1 and a one-line rationale;
- suggested_drivers: new drivers the list lacks that this event shows matter (snake_case name, level
  GROUP/SUBGROUP/COMPANY with its group/subgroup/company, category DEMAND/COST/REGULATORY/OPERATIONAL,
  suggested_weight in (0, 0.5], reasoning, confidence; unit, current_value and previous_value only when the
  event states the driver's level now and before, else null; sensitivity +1 when a rise of the driver helps
  the scope's companies, -1 when it hurts, null when unclear);
- policy: for RBI, SEBI and PIB releases the stance HAWKISH/DOVISH/NEUTRAL, impacted valuation groups,
  confidence and rationale; null for other news."""


@dataclass(frozen=True)
class Outcome:
    analysis: EventAnalysis
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    cached: bool = False


class Analyzer(Protocol):
    name: str

    def __call__(self, event: Event, drivers: Sequence[Mapping[str, Any]]) -> Outcome: ...


class RuleAnalyzer:
    name = rules.ANALYZER

    def __call__(self, event: Event, drivers: Sequence[Mapping[str, Any]]) -> Outcome:
        return Outcome(rules.analyze(event, drivers))


def prompt(event: Event, drivers: Sequence[Mapping[str, Any]]) -> str:
    listed = [
        {k: d.get(k) for k in ("driver_key", "driver_name", "unit", "current_value", "direction")}
        for d in drivers[:MAX_CANDIDATES]
    ]
    return json.dumps({
        "publisher": event.publisher, "title": event.title, "summary": event.summary,
        "companies": list(event.companies), "valuation_groups": list(event.groups),
        "valuation_subgroups": list(event.subgroups), "drivers": listed,
    }, sort_keys=True, default=str)


def cache_key(model: str, content: str) -> str:
    return hashlib.sha256(f"{model}|{PROMPT_VERSION}|{content}".encode()).hexdigest()


class LlmAnalyzer:
    def __init__(self, chat: StructuredChat, conn: psycopg.Connection, now: datetime) -> None:
        self.chat, self.conn, self.now = chat, conn, now
        self.name = chat.model

    def __call__(self, event: Event, drivers: Sequence[Mapping[str, Any]]) -> Outcome:
        content = prompt(event, drivers)
        key = cache_key(self.chat.model, content)
        hit = self.conn.execute(
            "select response, prompt_tokens, completion_tokens from analytics.llm_cache where cache_key = %s", (key,)
        ).fetchone()
        if hit is not None:
            return Outcome(EventAnalysis.model_validate(hit[0]), hit[1], hit[2], 0.0, cached=True)
        answer = self.chat.parse(EventAnalysis, system=SYSTEM_PROMPT, user=content, document=f"event:{event.event_id}")
        upsert(self.conn, LLM_CACHE, [{
            "cache_key": key, "model": self.chat.model, "prompt_version": PROMPT_VERSION,
            "response": answer.parsed.model_dump(mode="json"), "prompt_tokens": answer.prompt_tokens,
            "completion_tokens": answer.completion_tokens, "cost_usd": answer.cost_usd, "created_at": self.now,
        }])
        return Outcome(answer.parsed, answer.prompt_tokens, answer.completion_tokens, answer.cost_usd)
