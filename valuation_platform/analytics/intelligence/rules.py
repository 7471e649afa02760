"""The deterministic analyzer: keyword and lexicon rules over an event's title and summary, answering the same
:class:`EventAnalysis` schema as the LLM (used when no API key is configured, and as the tests' baseline).

* driver moves: a topic names the drivers it moves (by name or by the series they follow), verbs give the
  direction ("cut" DOWN, "hike" UP), and a stated size gives the magnitude ("25 basis points" = 0.25 points,
  "from 100 per cent to 125 per cent" = 25 points); without a stated size the move is direction-only;
* policy stance for RBI, SEBI and PIB releases: easing words DOVISH, tightening words HAWKISH, else NEUTRAL;
* suggestions: topics the hierarchy may lack a driver for (gold-loan norms, SME IPO rules, ...), skipped when
  a driver of that name already exists in the same scope; a stated "from X per cent to Y per cent" near the
  topic gives the suggestion its previous and current value, so the approved driver moves the valuation.

Confidence reflects the source: a regulator's own release stating the size 0.9, without a size 0.8; a news
report 0.55 (below the default floor, so news alone never moves a driver).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from valuation_platform.analytics.intelligence.schema import (
    DriverImpact,
    EventAnalysis,
    PolicyStance,
    SuggestedDriver,
)

ANALYZER = "rule_based"
OFFICIAL_SIZED, OFFICIAL, REPORTED = 0.9, 0.8, 0.55


@dataclass(frozen=True)
class Event:
    event_id: str
    title: str
    summary: str | None
    publisher: str  # RBI / SEBI / PIB / NEWS
    companies: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    subgroups: tuple[str, ...] = ()
    content_hash: str = ""

    @property
    def text(self) -> str:
        return f"{self.title}. {self.summary or ''}"

    @property
    def is_policy(self) -> bool:
        return self.publisher in ("RBI", "SEBI", "PIB")


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"\b(" + "|".join(alternatives) + r")\b", re.IGNORECASE)


DOWN = _words("cut", "cuts", "reduced?", "reduces", "lowered", "lowers?", "slashed?", "eases?", "eased",
              "declined?", "falls?", "fell", "depreciat\\w*")
UP = _words("hike[sd]?", "raised?", "raises", "increased?", "increases", "tighten\\w*", "rises?", "rose",
            "higher", "stricter", "appreciat\\w*")
HOLD = _words("unchanged", "kept", "keeps", "retains?", "retained", "status quo")


@dataclass(frozen=True)
class MoveRule:
    topic: re.Pattern[str]
    names: frozenset[str] = frozenset()  # driver names it moves
    series: frozenset[str] = frozenset()  # or drivers following these series
    sectors: tuple[str, ...] = ()  # valuation groups it concerns (added to the event's own)
    default_move: float | None = None  # direction-only unless a size is stated, or this default (own unit)


MOVE_RULES: tuple[MoveRule, ...] = (
    MoveRule(_words("repo rate", "policy repo rate", "policy rate"), frozenset({"repo_rate", "policy_repo_rate"}),
             frozenset({"rbi_repo_rate"}), ("FINANCIALS", "REAL_ESTATE_INFRA", "AUTO")),
    MoveRule(_words("risk weights?"), frozenset({"risk_weight_unsecured_credit"}), sectors=("FINANCIALS",)),
    MoveRule(_words("F&O", "futures and options", "equity derivatives", "index derivatives"),
             frozenset({"sebi_fno_curbs"}), sectors=("FINANCIALS",), default_move=0.05),
    MoveRule(_words("GST"), frozenset({"gst_rate_changes", "gst_rates"}),
             sectors=("CONSUMER_STAPLES", "CONSUMER_DISCRETIONARY"), default_move=0.05),
    MoveRule(_words("credit growth"), frozenset({"system_credit_growth"}), sectors=("FINANCIALS",)),
)

# size of a move as stated in the text, in the driver's unit (points for percent drivers)
_BPS = re.compile(r"(\d+(?:\.\d+)?)\s*(?:basis points|bps|bp)\b", re.IGNORECASE)
_POINTS = re.compile(r"(\d+(?:\.\d+)?)\s*percentage points?\b", re.IGNORECASE)
_FROM_TO = re.compile(r"from\s+(\d+(?:\.\d+)?)\s*(?:per ?cent|%)\s+to\s+(\d+(?:\.\d+)?)\s*(?:per ?cent|%)",
                      re.IGNORECASE)


def stated_size(text: str) -> float | None:
    if m := _BPS.search(text):
        return float(m.group(1)) / 100.0
    if m := _POINTS.search(text):
        return float(m.group(1))
    if levels := stated_levels(text):
        return abs(levels[1] - levels[0])
    return None


def direction_of(text: str) -> str | None:
    """UP / DOWN from the first direction word; None when the text says the value is held."""
    if HOLD.search(text):
        return None
    down, up = DOWN.search(text), UP.search(text)
    if down and (not up or down.start() < up.start()):
        return "DOWN"
    return "UP" if up else None


@dataclass(frozen=True)
class StanceRule:
    publisher: str
    dovish: re.Pattern[str]
    hawkish: re.Pattern[str]
    sectors: tuple[str, ...]


STANCE_RULES: Mapping[str, StanceRule] = {
    "RBI": StanceRule("RBI", _words("repo rate\\W+(?:\\w+\\W+){0,6}?(?:cut|reduced?|lowered)",
                                    "(?:cuts?|reduces?|lowers?)\\W+(?:\\w+\\W+){0,3}?repo rate", "accommodative",
                                    "CRR (?:cut|reduced?)", "liquidity (?:injection|support)", "eases?", "relax\\w*"),
                      _words("repo rate\\W+(?:\\w+\\W+){0,6}?(?:hike[sd]?|raised?|increased?)",
                             "(?:hikes?|raises?|increases?)\\W+(?:\\w+\\W+){0,3}?repo rate",
                             "withdrawal of accommodation", "risk weights?\\W+(?:\\w+\\W+){0,4}?(?:raised|increased?)",
                             "tighten\\w*", "stricter", "penalty", "monetary penalty"),
                      ("FINANCIALS",)),
    "SEBI": StanceRule("SEBI", _words("eases?", "relax\\w*", "simplif\\w*", "reduces? fees", "ease of doing business"),
                       _words("tighten\\w*", "stricter", "curbs?", "restrict\\w*", "penalty", "bans?", "barred",
                              "higher margins?", "enhanced margins?"),
                       ("FINANCIALS",)),
    "PIB": StanceRule("PIB", _words("GST (?:rate )?(?:cut|reduc\\w*)", "rationalis\\w*", "incentive", "PLI",
                                    "production linked incentive", "stimulus", "duty (?:cut|reduc\\w*)", "relief"),
                      _words("duty (?:hike|increase)", "cess", "levy", "windfall tax", "export ban", "curbs?"),
                      ()),
}

# sector words in a release -> the valuation group it concerns
SECTOR_WORDS: Mapping[str, re.Pattern[str]] = {
    "FINANCIALS": _words("banks?", "NBFCs?", "lenders?", "insurers?", "brokers?", "mutual funds?"),
    "HEALTHCARE": _words("pharma\\w*", "drugs?", "hospitals?", "medical devices?"),
    "AUTO": _words("automobiles?", "auto components?", "vehicles?", "EVs?"),
    "CONSUMER_STAPLES": _words("FMCG", "packaged food", "edible oils?"),
    "CONSUMER_DISCRETIONARY": _words("consumer durables?", "white goods", "jewellery", "hotels?"),
    "MATERIALS_METALS": _words("steel", "aluminium", "metals?"),
    "ENERGY_UTILITIES": _words("crude", "petroleum", "power sector", "renewable energy", "solar"),
    "TECHNOLOGY": _words("semiconductors?", "electronics", "IT services", "telecom"),
    "REAL_ESTATE_INFRA": _words("housing", "real estate", "cement", "infrastructure"),
}


@dataclass(frozen=True)
class SuggestionRule:
    topic: re.Pattern[str]
    level: str
    group: str | None
    subgroup: str | None
    category: str
    name: str
    weight: float
    reasoning: str
    publishers: frozenset[str] = field(default_factory=lambda: frozenset({"RBI", "SEBI", "PIB", "NEWS", "NSE"}))
    unit: str | None = None  # "percent": the text's "from X per cent to Y per cent" gives the driver's values
    sensitivity: int | None = None  # +1 a rise of the driver helps the scope's companies, -1 it hurts


SUGGESTION_RULES: tuple[SuggestionRule, ...] = (
    SuggestionRule(_words("gold loans?"), "SUBGROUP", "FINANCIALS", "FINANCIALS_NBFC", "REGULATORY",
                   "gold_loan_ltv_norms", 0.08,
                   "RBI rules on gold-loan loan-to-value, valuation and auctions change gold financiers' growth "
                   "and credit costs", unit="percent", sensitivity=1),
    SuggestionRule(_words("SME IPOs?", "SME platform", "SME segment"), "SUBGROUP", "FINANCIALS",
                   "FINANCIALS_EXCHANGES_DEPOSITORIES", "REGULATORY", "sme_listing_norms", 0.05,
                   "SEBI's SME listing eligibility and disclosure rules set the flow of SME IPOs on the exchanges"),
    SuggestionRule(_words("digital lending"), "SUBGROUP", "FINANCIALS", "FINANCIALS_NBFC", "REGULATORY",
                   "digital_lending_compliance", 0.05,
                   "Digital-lending directions (loan service providers, default loss guarantees) constrain "
                   "fintech-sourced NBFC loan growth"),
    SuggestionRule(_words("windfall tax", "special additional excise duty"), "GROUP", "ENERGY_UTILITIES", None,
                   "REGULATORY", "windfall_tax_burden", 0.08,
                   "The special additional excise duty on crude and fuel exports takes a share of upstream and "
                   "refining margins", sensitivity=-1),
    SuggestionRule(_words("semiconductor (?:mission|fab\\w*|scheme)"), "GROUP", "TECHNOLOGY", None, "DEMAND",
                   "semiconductor_incentives", 0.05,
                   "India Semiconductor Mission incentives decide the fab and OSAT capex pipeline for electronics "
                   "makers", unit="percent", sensitivity=1),
)

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'])")
_RISK = _words("risks?", "pressure", "concerns?", "slowdown", "uncertain\\w*", "volatil\\w*", "inflation",
               "headwinds?", "default\\w*", "stress")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text.strip()) if s.strip()]


def impacted_sectors(event: Event, rule_sectors: Sequence[str]) -> list[str]:
    found = [g for g, pattern in SECTOR_WORDS.items() if pattern.search(event.text)]
    return sorted(set(event.groups) | set(rule_sectors) | set(found))


def _in_scope(driver: Mapping[str, Any], sectors: Sequence[str], companies: Sequence[str]) -> bool:
    level = driver["driver_level"]
    if level == "MACRO":
        return True
    if level == "COMPANY":
        return driver.get("company") in companies
    return driver.get("valuation_group") in sectors


def _impacts(event: Event, drivers: Sequence[Mapping[str, Any]], confidence_base: float
             ) -> tuple[list[DriverImpact], list[str]]:
    impacts: list[DriverImpact] = []
    sectors: list[str] = []
    for rule in MOVE_RULES:
        topic = rule.topic.search(event.text)
        if not topic:
            continue
        sectors += rule.sectors
        clause = event.text[max(0, topic.start() - 80): topic.end() + 300]  # the words around the topic
        direction = direction_of(clause)
        if direction is None:
            continue
        size = stated_size(clause)
        magnitude = size if size is not None else (rule.default_move or 0.0)
        confidence = OFFICIAL_SIZED if event.is_policy and size is not None else confidence_base
        scope = impacted_sectors(event, rule.sectors)
        for driver in drivers:
            named = driver["driver_name"] in rule.names or (driver.get("series_id") or "") in rule.series
            if named and _in_scope(driver, scope, event.companies):
                impacts.append(DriverImpact(
                    driver_key=driver["driver_key"], direction=direction, magnitude=magnitude,  # type: ignore[arg-type]
                    confidence=confidence,
                    rationale=f"{event.publisher}: '{topic.group(0)}' {direction.lower()}"
                              + (f" by {magnitude:g} ({driver.get('unit') or 'units'})" if magnitude else ""),
                ))
    return impacts, sectors


def _stance(event: Event, extra_sectors: Sequence[str]) -> PolicyStance | None:
    rule = STANCE_RULES.get(event.publisher)
    if rule is None:
        return None
    dovish, hawkish = rule.dovish.search(event.text), rule.hawkish.search(event.text)
    if dovish and not hawkish:
        stance, why = "DOVISH", dovish.group(0)
    elif hawkish and not dovish:
        stance, why = "HAWKISH", hawkish.group(0)
    else:
        stance = "NEUTRAL"
        why = "both easing and tightening language" if dovish else "no easing or tightening language"
    confidence = OFFICIAL if stance != "NEUTRAL" or not dovish else 0.5
    sectors = impacted_sectors(event, (*rule.sectors, *extra_sectors))
    return PolicyStance(stance=stance, impacted_sectors=sectors, confidence=confidence,  # type: ignore[arg-type]
                        rationale=f"{rule.publisher} release: {why}")


def stated_levels(text: str) -> tuple[float, float] | None:
    """``(previous, current)`` from "from X per cent to Y per cent" in ``text``."""
    m = _FROM_TO.search(text)
    return (float(m.group(1)), float(m.group(2))) if m else None


def _suggestions(event: Event, existing: set[tuple[str | None, str | None, str]]) -> list[SuggestedDriver]:
    out = []
    for rule in SUGGESTION_RULES:
        topic = rule.topic.search(event.text) if event.publisher in rule.publishers else None
        if topic is None or (rule.group, rule.subgroup, rule.name) in existing:
            continue
        levels = stated_levels(event.text[max(0, topic.start() - 80): topic.end() + 300]) \
            if rule.unit == "percent" else None
        out.append(SuggestedDriver(
            level=rule.level, valuation_group=rule.group, valuation_subgroup=rule.subgroup,  # type: ignore[arg-type]
            company=None, category=rule.category, name=rule.name, suggested_weight=rule.weight,  # type: ignore[arg-type]
            reasoning=rule.reasoning, confidence=OFFICIAL if event.is_policy else REPORTED,
            unit=rule.unit if levels else None, current_value=levels[1] if levels else None,
            previous_value=levels[0] if levels else None, sensitivity=rule.sensitivity,  # type: ignore[arg-type]
        ))
    return out


def analyze(event: Event, drivers: Sequence[Mapping[str, Any]]) -> EventAnalysis:
    """The rule-based :class:`EventAnalysis` of ``event`` against the existing ``drivers`` (analytics rows)."""
    impacts, rule_sectors = _impacts(event, drivers, OFFICIAL if event.is_policy else REPORTED)
    existing = {(d.get("valuation_group"), d.get("valuation_subgroup"), d["driver_name"]) for d in drivers}
    body = sentences(event.summary or "") or [event.title]
    return EventAnalysis(
        summary=body[0],
        key_points=[s for s in body if any(ch.isdigit() for ch in s)][:3],
        risks=[s for s in body if _RISK.search(s)][:3],
        driver_impacts=impacts,
        suggested_drivers=_suggestions(event, existing),
        policy=_stance(event, rule_sectors) if event.is_policy else None,
    )
