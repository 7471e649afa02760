"""The India valuation-driver hierarchy: MACRO -> GROUP -> SUBGROUP [-> COMPANY], built and validated.

Pure: the curated reference tables (the dbt seeds ``dbt_project/seeds/india/india_*.csv``, the one copy
of each; :mod:`valuation_platform.pipelines.india.reference` reads them from the seed files or the seeded
warehouse tables), the macro series as long rows and the universe rows go in; driver rows and
validation findings come out. Nothing else from the project is imported.

Reference tables (file ``india_<name>.csv``)
* ``macro_drivers`` - the 23 MACRO drivers with tier and weight (weights sum to 1.0).
* ``group_drivers`` - DEMAND/COST/REGULATORY drivers per valuation group (weights 0.80-1.00).
* ``subgroup_drivers`` - 7-10 drivers per subgroup (weights 0.80-1.00).
* ``macro_metadata`` - macro series mapped to a group (blank subgroup) or subgroup; each becomes a
  MACRO_SIGNAL driver there. Signals carry **no weight** (``weight`` None): they describe how the
  group's environment moves, feed trend detection, and are not part of the weighted valuation.
* ``company_alpha_configs`` - COMPANY drivers keyed by NSE symbol and ``alpha_config_id``.
* ``valuation_subgroups`` / ``sector_group_mapping`` - the subgroup list and the mapping the
  universe uses; validation checks coverage against the subgroup list.

Values. A driver with a ``series_id`` reads the macro series: ``transform = level`` takes the latest
value, ``yoy`` the year-on-year change in percent, ``(v_t / v_{t-1y} - 1) x 100`` where ``t-1y`` is
the same month/quarter a year earlier (daily data: the last observation on or up to 7 days before the
same date a year earlier). YoY is used for growth and inflation drivers built on index or output levels
(CPI, WPI, IIP, GDP/GVA; e.g. ``cpi_headline``, ``gdp_growth``, ``iip_manufacturing``); rates, yields,
PMIs, flows, FX and labour ratios are ``level``. ``previous_value`` is the same transform one
observation earlier. When a series has several releases for a period the latest ``released_at`` wins.
A driver without a series takes the curated ``current_value``/``previous_value`` from its CSV.

Direction: ``UP`` / ``DOWN`` when ``current - previous`` exceeds the STABLE band, ``STABLE`` inside it,
None when either value is missing. The band is ``max(0.05, 0.5% x |previous|)``: 5bp for rates and
growth rates in percent, proportionally wider for levels such as USD/INR (~0.42 at 85) or flows.

Driver rows (``list[dict]``)::

    driver_key str ('MACRO|gdp_growth', 'SUBGROUP|FINANCIALS|FINANCIALS_BANKS|loan_growth', ...)
    driver_level str (MACRO/GROUP/SUBGROUP/COMPANY), valuation_group str|None,
    valuation_subgroup str|None, company str|None (NSE symbol), alpha_config_id str|None,
    driver_category str (RATES/GROWTH/... for MACRO; DEMAND/COST/REGULATORY/OPERATIONAL/MACRO_SIGNAL),
    driver_name str, series_id str|None, transform str|None ('level'/'yoy'), unit str|None,
    weight float|None (None for MACRO_SIGNAL), tier str|None (MACRO only),
    bull_value/base_value/bear_value float|None (MACRO only), sensitivity int|None (+1 a rise helps the
    group/company, -1 it hurts: MACRO_SIGNAL rows from macro_metadata; weighted rows from their CSV or, blank,
    CATEGORY_SIGN of their category), current_value float|None, previous_value float|None,
    as_of date|None (period of current_value for series drivers), direction str|None,
    updated_at datetime (UTC), updated_by str (macro_sync/pm_edit/agent/agent_analysis/agent_discovery/trend_detection)
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

DRIVER_LEVELS = ("MACRO", "GROUP", "SUBGROUP", "COMPANY")
# agent: curated by the old system's agent (seed rows); agent_analysis / agent_discovery: an event analysis
# within bounds / an approved discovered driver (warehouse/tables/intelligence.py).
UPDATED_BY = frozenset({"macro_sync", "pm_edit", "agent", "agent_analysis", "agent_discovery", "trend_detection"})
TRANSFORMS = frozenset({"level", "yoy"})
MACRO_SIGNAL = "MACRO_SIGNAL"
# The sign of a weighted driver's effect when its row does not state one: more demand helps, a higher cost
# hurts. REGULATORY and OPERATIONAL drivers have no default sign (they move no model input).
CATEGORY_SIGN = {"DEMAND": 1, "COST": -1}
STABLE_ABSOLUTE = 0.05
STABLE_RELATIVE = 0.005
DAILY_YOY_TOLERANCE = timedelta(days=7)
REFERENCE_TABLES = (
    "macro_drivers",
    "group_drivers",
    "subgroup_drivers",
    "macro_metadata",
    "company_alpha_configs",
    "valuation_subgroups",
    "sector_group_mapping",
)


@dataclass(frozen=True)
class IndiaReference:
    macro_drivers: list[dict[str, str]]
    group_drivers: list[dict[str, str]]
    subgroup_drivers: list[dict[str, str]]
    macro_metadata: list[dict[str, str]]
    company_alpha_configs: list[dict[str, str]]
    valuation_subgroups: list[dict[str, str]]
    sector_group_mapping: list[dict[str, str]]

    def referenced_series(self) -> set[str]:
        tables = (
            self.macro_drivers,
            self.group_drivers,
            self.subgroup_drivers,
            self.macro_metadata,
            self.company_alpha_configs,
        )
        return {r["series_id"].strip() for t in tables for r in t if (r.get("series_id") or "").strip()}

    def subgroup_pairs(self) -> set[tuple[str, str]]:
        return {(r["valuation_group"], r["valuation_subgroup"]) for r in self.valuation_subgroups}


# ------------------------------------------------------------------ series values
def _float(text: Any) -> float | None:
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    return float(text)


def series_observations(macro_rows: Iterable[Mapping[str, Any]]) -> dict[str, list[tuple[date, float]]]:
    """``series_id -> [(ref_period, value)]`` sorted, latest release per period, missing values dropped."""
    latest: dict[tuple[str, date], tuple[datetime | None, float | None]] = {}
    for row in macro_rows:
        key = (row["series_id"], row["ref_period"])
        released = row.get("released_at")
        current = latest.get(key)
        if current is None or (released is not None and (current[0] is None or released >= current[0])):
            latest[key] = (released, row.get("value"))
    out: dict[str, list[tuple[date, float]]] = defaultdict(list)
    for (series_id, period), (_, value) in latest.items():
        if value is not None:
            out[series_id].append((period, float(value)))
    for observations in out.values():
        observations.sort()
    return dict(out)


def _year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def yoy_at(observations: Sequence[tuple[date, float]], position: int) -> float | None:
    """Year-on-year percent change of the observation at ``position`` (None without a base)."""
    day, value = observations[position]
    target = _year_earlier(day)
    dates = [d for d, _ in observations]
    at = bisect.bisect_right(dates, target) - 1
    if at < 0:
        return None
    base_day, base = observations[at]
    tolerance = timedelta(0) if day.day == 1 and base_day.day == 1 else DAILY_YOY_TOLERANCE
    if target - base_day > tolerance or base == 0:
        return None
    return (value / base - 1.0) * 100.0


def transformed(
    observations: Sequence[tuple[date, float]], transform: str
) -> tuple[float | None, float | None, date | None]:
    """``(current, previous, as_of)`` of a series under ``transform``."""
    if transform not in TRANSFORMS:
        raise ValueError(f"unknown transform {transform!r}; expected one of {sorted(TRANSFORMS)}")
    if not observations:
        return None, None, None
    last = len(observations) - 1
    if transform == "level":
        previous = observations[last - 1][1] if last >= 1 else None
        return observations[last][1], previous, observations[last][0]
    current = yoy_at(observations, last)
    previous = yoy_at(observations, last - 1) if last >= 1 else None
    return current, previous, observations[last][0]


def direction(current: float | None, previous: float | None) -> str | None:
    if current is None or previous is None:
        return None
    band = max(STABLE_ABSOLUTE, STABLE_RELATIVE * abs(previous))
    change = current - previous
    return "UP" if change > band else "DOWN" if change < -band else "STABLE"


# ------------------------------------------------------------------ build
def _row(
    *,
    level: str,
    group: str | None,
    subgroup: str | None,
    company: str | None,
    source: Mapping[str, str],
    category: str,
    series: Mapping[str, list[tuple[date, float]]],
    now: datetime,
    updated_by: str,
    weight: float | None,
    alpha_config_id: str | None = None,
    name: str | None = None,
) -> dict[str, Any]:
    driver_name = name or source["driver_name"]
    series_id = source.get("series_id") or None
    transform = source.get("transform") or None
    if series_id:
        current, previous, as_of = transformed(series.get(series_id, []), transform or "level")
        by = updated_by
    else:
        current, previous, as_of = (
            _float(source.get("current_value")),
            _float(source.get("previous_value")),
            None,
        )
        by = source.get("updated_by") or updated_by
    if by not in UPDATED_BY:
        raise ValueError(f"{driver_name}: updated_by {by!r} not in {sorted(UPDATED_BY)}")
    key = "|".join(p for p in (level, group, subgroup, company, driver_name) if p)
    if category == MACRO_SIGNAL:
        key = f"{key}|signal"
    return {
        "driver_key": key,
        "driver_level": level,
        "valuation_group": group,
        "valuation_subgroup": subgroup,
        "company": company,
        "alpha_config_id": alpha_config_id,
        "driver_category": category,
        "driver_name": driver_name,
        "series_id": series_id,
        "transform": transform if series_id else None,
        "unit": source.get("unit") or ("percent" if series_id and transform == "yoy" else None),
        "weight": weight,
        "tier": source.get("tier") or None,
        "bull_value": _float(source.get("bull_value")),
        "base_value": _float(source.get("base_value")),
        "bear_value": _float(source.get("bear_value")),
        "sensitivity": int(source["sensitivity"]) if source.get("sensitivity") else CATEGORY_SIGN.get(category),
        "current_value": current,
        "previous_value": previous,
        "as_of": as_of,
        "direction": direction(current, previous),
        "updated_at": now,
        "updated_by": by,
    }


def build_driver_hierarchy(
    reference: IndiaReference,
    macro_rows: Iterable[Mapping[str, Any]],
    universe_rows: Iterable[Mapping[str, Any]],
    *,
    now: datetime,
    updated_by: str = "macro_sync",
) -> list[dict[str, Any]]:
    """Driver rows for every level (see module docstring), MACRO first.

    ``updated_by`` is stamped on series-driven rows; curated rows keep the ``updated_by`` of their CSV
    row (``pm_edit``, ``agent``), falling back to ``updated_by`` when blank. COMPANY rows are built for
    universe companies whose NSE symbol has an alpha config.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if updated_by not in UPDATED_BY:
        raise ValueError(f"updated_by {updated_by!r} not in {sorted(UPDATED_BY)}")
    now = now.astimezone(UTC)
    series = series_observations(macro_rows)
    common = {"series": series, "now": now, "updated_by": updated_by}
    rows: list[dict[str, Any]] = []
    # The weighted levels: (level, reference table, its category column, its group and subgroup columns).
    for level, table, category, group_col, subgroup_col in (
        ("MACRO", reference.macro_drivers, "category", None, None),
        ("GROUP", reference.group_drivers, "driver_category", "valuation_group", None),
        ("SUBGROUP", reference.subgroup_drivers, "driver_category", "valuation_group", "valuation_subgroup"),
    ):
        for r in table:
            rows.append(
                _row(
                    level=level,
                    group=r[group_col] if group_col else None,
                    subgroup=r[subgroup_col] if subgroup_col else None,
                    company=None,
                    source=r,
                    category=r[category],
                    weight=float(r["weight"]),
                    **common,
                )
            )
    for r in reference.macro_metadata:
        subgroup = r.get("valuation_subgroup") or None
        rows.append(
            _row(
                level="SUBGROUP" if subgroup else "GROUP",
                group=r["valuation_group"],
                subgroup=subgroup,
                company=None,
                source=r,
                category=MACRO_SIGNAL,
                weight=None,
                name=r["series_id"],
                **common,
            )
        )
    configs: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in reference.company_alpha_configs:
        configs[r["nse_symbol"].upper()].append(r)
    for company in universe_rows:
        symbol = (company.get("nse_symbol") or "").upper()
        for r in configs.get(symbol, []):
            rows.append(
                _row(
                    level="COMPANY",
                    group=company.get("valuation_group"),
                    subgroup=company.get("valuation_subgroup"),
                    company=symbol,
                    source=r,
                    category=r["driver_category"],
                    weight=float(r["weight"]),
                    alpha_config_id=r["alpha_config_id"],
                    **common,
                )
            )
    return rows


# ------------------------------------------------------------------ validate
@dataclass(frozen=True)
class WeightBounds:
    macro_total: float = 1.0
    tolerance: float = 1e-6
    group: tuple[float, float] = (0.80, 1.00)
    subgroup: tuple[float, float] = (0.80, 1.00)
    subgroup_drivers: tuple[int, int] = (7, 10)
    company: tuple[float, float] = (0.0, 1.0)  # exclusive lower bound: a config with no weight is useless


@dataclass
class HierarchyValidation:
    violations: list[dict[str, Any]]
    coverage: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.violations


def _violation(rule: str, level: str | None, scope: str, message: str) -> dict[str, Any]:
    return {"rule": rule, "driver_level": level, "scope": scope, "message": message}


def validate_driver_hierarchy(
    rows: Sequence[Mapping[str, Any]],
    universe_rows: Sequence[Mapping[str, Any]],
    series_ids: Iterable[str],
    *,
    subgroups: Iterable[tuple[str, str]] = (),
    bounds: WeightBounds | None = None,
) -> HierarchyValidation:
    """Violations of the hierarchy's invariants, plus coverage figures.

    Rules: ``macro_weight_total``, ``group_weight_bounds``, ``subgroup_weight_bounds``,
    ``subgroup_driver_count``, ``company_weight_bounds``, ``weight_out_of_range``, ``missing_weight``,
    ``unknown_series`` (a driver reads a series not in ``series_ids``), ``duplicate_driver``,
    ``unknown_level``, ``group_not_covered`` / ``subgroup_not_covered`` (a group/subgroup of the universe
    or of ``subgroups`` without weighted drivers), ``subgroup_group_mismatch``, ``orphan_company_driver``
    and ``broken_chain`` (a company that does not resolve macro -> group -> subgroup [-> company]).
    """
    b = bounds or WeightBounds()
    known_series = set(series_ids)
    violations: list[dict[str, Any]] = []
    weights: dict[tuple[str, str], float] = defaultdict(float)
    counts: Counter[tuple[str, str]] = Counter()
    keys: Counter[str] = Counter()
    macro_total = 0.0
    pairs = set(subgroups)
    pair_of_subgroup = {s: g for g, s in pairs}

    for row in rows:
        level = row.get("driver_level")
        keys[row["driver_key"]] += 1
        if level not in DRIVER_LEVELS:
            violations.append(
                _violation("unknown_level", level, row["driver_key"], f"driver level {level!r}")
            )
            continue
        if row.get("series_id") and row["series_id"] not in known_series:
            violations.append(
                _violation(
                    "unknown_series", level, row["driver_key"], f"series {row['series_id']!r} does not exist"
                )
            )
        if level == "SUBGROUP":
            expected = pair_of_subgroup.get(row.get("valuation_subgroup"))
            if expected is not None and expected != row.get("valuation_group"):
                violations.append(
                    _violation(
                        "subgroup_group_mismatch",
                        level,
                        row["driver_key"],
                        f"{row.get('valuation_subgroup')} belongs to {expected}, "
                        f"not {row.get('valuation_group')}",
                    )
                )
        weight = row.get("weight")
        if row.get("driver_category") == MACRO_SIGNAL:
            continue
        if weight is None:
            violations.append(
                _violation("missing_weight", level, row["driver_key"], "weighted driver without weight")
            )
            continue
        if not 0.0 <= weight <= 1.0:
            violations.append(_violation("weight_out_of_range", level, row["driver_key"], f"weight {weight}"))
        scope = {
            "MACRO": "MACRO",
            "GROUP": str(row.get("valuation_group")),
            "SUBGROUP": str(row.get("valuation_subgroup")),
            "COMPANY": str(row.get("company")),
        }[level]
        weights[(level, scope)] += weight
        counts[(level, scope)] += 1
        if level == "MACRO":
            macro_total += weight

    for key, n in keys.items():
        if n > 1:
            violations.append(_violation("duplicate_driver", None, key, f"{n} rows with this driver_key"))
    if abs(macro_total - b.macro_total) > b.tolerance:
        violations.append(
            _violation(
                "macro_weight_total",
                "MACRO",
                "MACRO",
                f"macro weights sum to {macro_total:.6f}, expected {b.macro_total}",
            )
        )
    for (level, scope), total in sorted(weights.items()):
        if level == "GROUP" and not b.group[0] - b.tolerance <= total <= b.group[1] + b.tolerance:
            violations.append(
                _violation(
                    "group_weight_bounds", level, scope, f"weights sum to {total:.4f}, expected {b.group}"
                )
            )
        if level == "SUBGROUP":
            if not b.subgroup[0] - b.tolerance <= total <= b.subgroup[1] + b.tolerance:
                violations.append(
                    _violation(
                        "subgroup_weight_bounds",
                        level,
                        scope,
                        f"weights sum to {total:.4f}, expected {b.subgroup}",
                    )
                )
            n = counts[(level, scope)]
            if not b.subgroup_drivers[0] <= n <= b.subgroup_drivers[1]:
                violations.append(
                    _violation(
                        "subgroup_driver_count", level, scope, f"{n} drivers, expected {b.subgroup_drivers}"
                    )
                )
        if level == "COMPANY" and not b.company[0] < total <= b.company[1] + b.tolerance:
            violations.append(
                _violation(
                    "company_weight_bounds", level, scope, f"weights sum to {total:.4f}, expected {b.company}"
                )
            )

    has_macro = counts.get(("MACRO", "MACRO"), 0) > 0
    groups_covered = {scope for (level, scope) in weights if level == "GROUP"}
    subgroups_covered = {scope for (level, scope) in weights if level == "SUBGROUP"}
    companies_with_drivers = {scope for (level, scope) in weights if level == "COMPANY"}
    universe_groups = {c.get("valuation_group") for c in universe_rows} | {g for g, _ in pairs}
    universe_subgroups = {c.get("valuation_subgroup") for c in universe_rows} | {s for _, s in pairs}
    for group in sorted(g for g in universe_groups if g and g not in groups_covered):
        violations.append(_violation("group_not_covered", "GROUP", group, "no weighted GROUP drivers"))
    for subgroup in sorted(s for s in universe_subgroups if s and s not in subgroups_covered):
        violations.append(
            _violation("subgroup_not_covered", "SUBGROUP", subgroup, "no weighted SUBGROUP drivers")
        )

    symbols = {(c.get("nse_symbol") or "").upper() for c in universe_rows if c.get("nse_symbol")}
    for symbol in sorted(companies_with_drivers - symbols):
        violations.append(
            _violation(
                "orphan_company_driver",
                "COMPANY",
                symbol,
                "company drivers for a company not in the universe",
            )
        )
    full_chain = 0
    for company in universe_rows:
        symbol = (company.get("nse_symbol") or "").upper()
        name = symbol or f"ACCORD:{company.get('accord_code')}"
        missing = [
            label
            for label, ok in (
                ("macro", has_macro),
                (f"group {company.get('valuation_group')}", company.get("valuation_group") in groups_covered),
                (
                    f"subgroup {company.get('valuation_subgroup')}",
                    company.get("valuation_subgroup") in subgroups_covered,
                ),
                (
                    f"company config {company.get('alpha_config_id')}",
                    not company.get("alpha_config_id") or symbol in companies_with_drivers,
                ),
            )
            if not ok
        ]
        if missing:
            violations.append(_violation("broken_chain", None, name, "missing " + ", ".join(missing)))
        else:
            full_chain += 1

    coverage = {
        "drivers_per_level": dict(
            Counter(r.get("driver_level") for r in rows if r.get("driver_category") != MACRO_SIGNAL)
        ),
        "signals_per_level": dict(
            Counter(r.get("driver_level") for r in rows if r.get("driver_category") == MACRO_SIGNAL)
        ),
        "companies_per_group": dict(Counter(c.get("valuation_group") for c in universe_rows)),
        "companies_total": len(universe_rows),
        "companies_full_chain": full_chain,
        "companies_with_company_drivers": len(companies_with_drivers & symbols),
        "groups_covered": len(groups_covered),
        "subgroups_covered": len(subgroups_covered),
        "subgroups_total": len({s for s in universe_subgroups if s}),
        "series_linked_drivers": sum(1 for r in rows if r.get("series_id")),
        "series_linked_with_value": sum(
            1 for r in rows if r.get("series_id") and r.get("current_value") is not None
        ),
    }
    return HierarchyValidation(violations=violations, coverage=coverage)


# ------------------------------------------------------------------ approved drivers and adjustments
# The approval gate (warehouse/tables/intelligence.py): APPROVED discovered drivers enter the hierarchy,
# APPLIED adjustments override one field of a driver. Nothing else an analyzer proposes reaches a driver.
DISCOVERY_LEVELS = ("GROUP", "SUBGROUP", "COMPANY")  # MACRO weights must sum to exactly 1: no additions
DISCOVERY_UPDATED_BY = "agent_discovery"


def weight_scope(row: Mapping[str, Any]) -> tuple[str, str]:
    """The scope whose weights the validator sums: ``(level, group | subgroup | company | 'MACRO')``."""
    level = str(row.get("driver_level"))
    column = {"GROUP": "valuation_group", "SUBGROUP": "valuation_subgroup", "COMPANY": "company"}.get(level)
    return level, str(row.get(column)) if column else "MACRO"


def discovered_driver_key(discovery: Mapping[str, Any]) -> str:
    """Built like the curated drivers' keys (:func:`_row`): level|group|subgroup|company|name."""
    parts = (discovery["driver_level"], discovery.get("valuation_group"), discovery.get("valuation_subgroup"),
             discovery.get("company"), discovery["driver_name"])
    return "|".join(p for p in parts if p)


def discovered_driver_row(discovery: Mapping[str, Any], *, now: datetime) -> dict[str, Any]:
    """The driver row of an approved discovery: its level and scope, weight = suggested weight, its unit,
    values and sign when the discovery carries them (the category's sign otherwise), stamped
    ``agent_discovery``."""
    current = discovery.get("current_value")
    previous = discovery.get("previous_value")
    return {
        "driver_key": discovered_driver_key(discovery),
        "driver_level": discovery["driver_level"],
        "valuation_group": discovery.get("valuation_group"),
        "valuation_subgroup": discovery.get("valuation_subgroup"),
        "company": discovery.get("company"),
        "alpha_config_id": None,
        "driver_category": discovery["driver_category"],
        "driver_name": discovery["driver_name"],
        "series_id": None, "transform": None, "unit": discovery.get("unit"),
        "weight": float(discovery["suggested_weight"]),
        "tier": None, "bull_value": None, "base_value": None, "bear_value": None,
        "sensitivity": discovery.get("sensitivity") or CATEGORY_SIGN.get(discovery["driver_category"]),
        "current_value": current, "previous_value": previous, "as_of": None,
        "direction": direction(current, previous),
        "updated_at": now.astimezone(UTC),
        "updated_by": DISCOVERY_UPDATED_BY,
    }


def approval_violation(
    rows: Sequence[Mapping[str, Any]], discovery: Mapping[str, Any], bounds: WeightBounds | None = None
) -> str | None:
    """Why approving ``discovery`` would break the hierarchy (None when it fits): an unknown level, a weight
    outside (0, 1], a driver that already exists, a scope the hierarchy does not hold, or a scope whose
    weights would pass the validator's upper bound (1.00) or whose subgroup would exceed its driver count.
    The lower bounds cannot be broken by adding weight."""
    b = bounds or WeightBounds()
    level = discovery.get("driver_level")
    if level not in DISCOVERY_LEVELS:
        return f"driver level {level!r} cannot take new drivers (allowed: {', '.join(DISCOVERY_LEVELS)})"
    weight = discovery.get("suggested_weight")
    if weight is None or not 0.0 < float(weight) <= 1.0:
        return f"suggested weight {weight} is outside (0, 1]"
    key = discovered_driver_key(discovery)
    if any(r["driver_key"] == key for r in rows):
        return f"driver {key} already exists"
    scope = weight_scope(discovery)
    in_scope = [r for r in rows if weight_scope(r) == scope and r.get("driver_category") != MACRO_SIGNAL]
    if not in_scope:
        return f"{level} {scope[1]} has no weighted drivers in the hierarchy"
    total = sum(float(r["weight"] or 0.0) for r in in_scope) + float(weight)
    upper = {"GROUP": b.group[1], "SUBGROUP": b.subgroup[1], "COMPANY": b.company[1]}[level]
    if total > upper + b.tolerance:
        return (f"{level} {scope[1]} weights would sum to {total:.4f} (now {total - float(weight):.4f} "
                f"+ {float(weight):.4f}), above the validator's {upper:.2f}")
    if level == "SUBGROUP" and len(in_scope) + 1 > b.subgroup_drivers[1]:
        return f"SUBGROUP {scope[1]} would have {len(in_scope) + 1} drivers, above {b.subgroup_drivers[1]}"
    return None


def apply_discoveries(
    rows: Sequence[dict[str, Any]], approved: Iterable[Mapping[str, Any]], *, now: datetime
) -> tuple[list[dict[str, Any]], list[str]]:
    """``(rows with the approved discoveries added, discovery ids added)``. A discovery whose driver the
    reference already holds (curated since) is not added twice."""
    out = list(rows)
    keys = {r["driver_key"] for r in out}
    added: list[str] = []
    for discovery in approved:
        row = discovered_driver_row(discovery, now=now)
        if row["driver_key"] not in keys:
            out.append(row)
            keys.add(row["driver_key"])
            added.append(discovery["discovery_id"])
    return out, added


ADJUSTMENT_DIRECTIONS = frozenset({"UP", "DOWN", "STABLE"})


def adjustment_in_bounds(a: Mapping[str, Any]) -> bool:
    """The last line of the gate: whoever wrote an APPLIED adjustment validated it, and this build still
    refuses one no driver could hold (a weight outside 0..1, an unknown direction, a missing value)."""
    if a["field"] == "direction":
        return a.get("value_text") in ADJUSTMENT_DIRECTIONS
    value = a.get("value_number")
    if value is None or value != value:
        return False
    return a["field"] != "weight" or 0.0 <= value <= 1.0


def latest_adjustments(adjustments: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], Mapping[str, Any]]:
    """The APPLIED adjustment in force per (driver_key, field): the latest ``requested_at`` wins."""
    latest: dict[tuple[str, str], Mapping[str, Any]] = {}
    for a in adjustments:
        if a.get("status") != "APPLIED" or a["field"] not in ("current_value", "weight", "direction") \
                or not adjustment_in_bounds(a):
            continue
        key = (a["driver_key"], a["field"])
        if key not in latest or a["requested_at"] > latest[key]["requested_at"]:
            latest[key] = a
    return latest


def apply_adjustments(
    rows: Sequence[dict[str, Any]],
    adjustments: Iterable[Mapping[str, Any]],
    series_released: Mapping[str, datetime] | None = None,
) -> list[dict[str, Any]]:
    """Rows with each field overridden by its adjustment in force; ``updated_by`` = lower(trigger) of the
    latest one applied to the row. A series-driven ``current_value`` override holds until the series
    publishes a newer observation (``series_released``: series_id -> latest released_at). Without a
    direction override, the direction follows the (overridden) value against the previous value."""
    released = series_released or {}
    by_driver: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for adjustment in latest_adjustments(adjustments).values():
        by_driver[adjustment["driver_key"]].append(adjustment)
    out: list[dict[str, Any]] = []
    for row in rows:
        found = by_driver.get(row["driver_key"])
        if not found:
            out.append(row)
            continue
        row = dict(row)
        applied: list[Mapping[str, Any]] = []
        for a in found:
            series = row.get("series_id")
            if a["field"] == "current_value" and series and series in released \
                    and released[series] is not None and released[series] > a["requested_at"]:
                continue  # the series published after the override: its value is current again
            row[a["field"]] = a["value_text"] if a["field"] == "direction" else a["value_number"]
            applied.append(a)
        if not applied:
            out.append(row)
            continue
        if not any(a["field"] == "direction" for a in applied):
            row["direction"] = direction(row["current_value"], row["previous_value"])
        row["updated_by"] = str(max(applied, key=lambda a: a["requested_at"])["trigger"]).lower()
        out.append(row)
    return out
