"""Which analyzer-proposed driver moves may apply: the configured bounds, decided per impact.

* A driver that follows a series (``series_id`` set) takes its value from the series; the analyzer may only
  set its ``direction`` (UP/DOWN), so the next series update and the event agree or visibly disagree.
* A judgement driver (no series) takes a new ``current_value`` = current +/- magnitude, when the move is within
  ``max_points`` for a percent driver or ``max_relative`` of the current value otherwise.
* Anything under the confidence floor, a driver the hierarchy does not hold, a value move without a current
  value or a stated size is REJECTED with its reason; a rejected row changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from valuation_platform.analytics.intelligence.schema import DriverImpact


@dataclass(frozen=True)
class Bounds:
    max_relative: float = 0.10  # VP_AGENT_MAX_MOVE: share of the current value (non-percent drivers)
    max_points: float = 0.25  # VP_AGENT_MAX_MOVE_POINTS: percentage points (percent drivers)
    min_confidence: float = 0.70  # VP_AGENT_MIN_CONFIDENCE


@dataclass(frozen=True)
class Decision:
    driver_key: str
    field: str  # current_value / direction
    value_number: float | None
    value_text: str | None
    status: str  # APPLIED / REJECTED
    rejection_reason: str | None


def decide(impact: DriverImpact, driver: Mapping[str, Any] | None, bounds: Bounds) -> Decision:
    key = impact.driver_key

    def rejected(field: str, reason: str, number: float | None = None, text: str | None = None) -> Decision:
        return Decision(key, field, number, text, "REJECTED", reason)

    if driver is None:
        return rejected("direction", "the driver hierarchy holds no driver with this key", text=impact.direction)
    if driver.get("series_id"):
        if impact.confidence < bounds.min_confidence:
            return rejected("direction", _low(impact, bounds), text=impact.direction)
        return Decision(key, "direction", None, impact.direction, "APPLIED", None)
    current = driver.get("current_value")
    sign = 1.0 if impact.direction == "UP" else -1.0
    proposed = None if current is None else current + sign * impact.magnitude
    if impact.confidence < bounds.min_confidence:
        return rejected("current_value", _low(impact, bounds), proposed)
    if current is None:
        return rejected("current_value", "the driver has no current value to move")
    if impact.magnitude == 0:
        return rejected("current_value", "no size stated for the move", proposed)
    if (driver.get("unit") or "") == "percent":
        if impact.magnitude > bounds.max_points + 1e-12:
            return rejected("current_value", f"move of {impact.magnitude:g} points exceeds the bound of "
                                             f"{bounds.max_points:g} points", proposed)
    else:
        limit = bounds.max_relative * abs(current)
        if impact.magnitude > limit + 1e-12:
            return rejected("current_value", f"move of {impact.magnitude:g} exceeds {bounds.max_relative:.0%} of "
                                             f"the current value {current:g} ({limit:g})", proposed)
    return Decision(key, "current_value", proposed, None, "APPLIED", None)


def _low(impact: DriverImpact, bounds: Bounds) -> str:
    return f"confidence {impact.confidence:.2f} is below the floor {bounds.min_confidence:.2f}"
