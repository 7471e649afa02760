"""The structured output every analyzer answers (the LLM through its JSON schema, the rules directly).

Ranges are checked by validators, not schema keywords: OpenAI's strict structured outputs accept only a subset
of JSON Schema, and an answer outside a range must fail validation here (and be quarantined), never be applied.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

PROMPT_VERSION = "event-analysis-v2"  # bump when the prompt or the schema changes: the cache keys on it
SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


def _unit_interval(value: float) -> float:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"confidence {value} is outside 0..1")
    return value


class DriverImpact(BaseModel):
    """An existing driver the event moves: ``magnitude`` is the size of the move in the driver's own unit
    (percentage points for a percent driver), ``direction`` its sign."""

    model_config = ConfigDict(extra="forbid")
    driver_key: str
    direction: Literal["UP", "DOWN"]
    magnitude: float
    confidence: float
    rationale: str

    _confidence = field_validator("confidence")(_unit_interval)

    @field_validator("magnitude")
    @classmethod
    def _non_negative(cls, value: float) -> float:
        if value < 0:
            raise ValueError(f"magnitude {value} is negative (the direction carries the sign)")
        return value


class SuggestedDriver(BaseModel):
    """A driver the hierarchy lacks: it waits in analytics.discovered_drivers as PENDING for a manager.

    ``current_value`` and ``previous_value`` (in ``unit``; ``percent`` for a rate or share) are the level the
    event reports and the one before it, when the text states both: with them, and ``sensitivity`` (+1 when a
    rise helps the scope's companies, -1 when it hurts), the approved driver moves the next valuation as the
    curated drivers do. Without them it enters the hierarchy with its weight only and moves no value until a
    manager fills them in (workbook tab 7)."""

    model_config = ConfigDict(extra="forbid")
    level: Literal["GROUP", "SUBGROUP", "COMPANY"]
    valuation_group: str | None
    valuation_subgroup: str | None
    company: str | None
    category: Literal["DEMAND", "COST", "REGULATORY", "OPERATIONAL"]
    name: str
    suggested_weight: float
    reasoning: str
    confidence: float
    unit: str | None = None
    current_value: float | None = None
    previous_value: float | None = None
    sensitivity: Literal[-1, 1] | None = None

    _confidence = field_validator("confidence")(_unit_interval)

    @model_validator(mode="after")
    def _values_in_pairs(self) -> SuggestedDriver:
        if (self.current_value is None) != (self.previous_value is None):
            raise ValueError(f"driver {self.name}: current_value and previous_value come together (a move needs "
                             f"both), got {self.current_value} and {self.previous_value}")
        return self

    @field_validator("name")
    @classmethod
    def _snake_case(cls, value: str) -> str:
        if not SNAKE.match(value):
            raise ValueError(f"driver name {value!r} is not snake_case")
        return value

    @field_validator("suggested_weight")
    @classmethod
    def _weight(cls, value: float) -> float:
        if not 0.0 < value <= 0.5:
            raise ValueError(f"suggested weight {value} is outside (0, 0.5]")
        return value


class PolicyStance(BaseModel):
    model_config = ConfigDict(extra="forbid")
    stance: Literal["HAWKISH", "DOVISH", "NEUTRAL"]
    impacted_sectors: list[str]  # valuation groups
    confidence: float
    rationale: str

    _confidence = field_validator("confidence")(_unit_interval)


class EventAnalysis(BaseModel):
    """What an analyzer says about one event: a research summary, the drivers it moves, new drivers it
    suggests, and (for an RBI, SEBI or PIB release) the policy stance."""

    model_config = ConfigDict(extra="forbid")
    summary: str
    key_points: list[str]
    risks: list[str]
    driver_impacts: list[DriverImpact]
    suggested_drivers: list[SuggestedDriver]
    policy: PolicyStance | None
