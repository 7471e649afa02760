"""Select a balanced universe of Indian listed companies from the classification file.

Pure: takes the parsed classification rows, the curated sector/industry -> valuation group/subgroup
mapping and the company alpha-config rows; imports nothing else from the project.

Steps
1. **Eligibility.** Only companies flagged investable are candidates. A candidate is *rejected*, with a
   reason, when it cannot be used: ``no_identifier`` (neither NSE symbol nor Accord code, so no price or
   fundamentals can be joined), ``no_sector_mapping`` (its ``(cd_sector, cd_industry)`` is not in the
   mapping, neither exactly nor through a ``(cd_sector, *)`` row), ``no_market_cap``, or
   ``duplicate_identifier`` (a second row with an NSE symbol / Accord code already seen; the larger
   company is kept).
2. **Ranking.** ``rank_score = market_cap x (0.5 + 0.5 x dq_score)``: a company with every data-quality
   flag set keeps its full market cap, one with none counts at half, so data quality breaks near-ties
   without letting a small clean company outrank a much larger one. Ties: market cap, then identifier.
3. **Balancing** (target ``T`` = ``min(target, eligible)``; ``floor = ceil(min_group_share x T)``,
   ``cap = max(floor, floor(max_group_share x T), ceil(T / groups present))``):
   a. floors: each valuation group first gets its best ``min(floor, available)`` companies, so every
      group is covered however small its companies are;
   b. capped fill: the remaining slots go down the global rank order, skipping groups at their cap, so
      the universe follows market structure without one group (banks) swallowing it;
   c. if caps left slots empty (too few companies outside the capped groups), the fill continues
      without caps until ``T``.
4. **Output.** ``selection_rank`` is the rank by ``rank_score`` within the selection (1 = first).
   ``valuation_frequency`` follows market cap within the selection: the top ``daily_count`` (100)
   DAILY, the next ``weekly_count`` (350) WEEKLY, the rest MONTHLY.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

# The old system's twelve active valuation groups (the managers' sheets, configs and drivers are keyed by
# them); the seed india_valuation_groups lists them with the inactive one. Every mapped industry lands in one.
VALUATION_GROUPS: tuple[str, ...] = (
    "FINANCIALS",
    "TECHNOLOGY",
    "HEALTHCARE",
    "CONSUMER_STAPLES",
    "CONSUMER_DISCRETIONARY",
    "AUTO",
    "INDUSTRIALS",
    "REAL_ESTATE_INFRA",
    "MATERIALS_CHEMICALS",
    "MATERIALS_METALS",
    "ENERGY_UTILITIES",
    "SERVICES",
)
FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY")
REJECT_REASONS = ("no_identifier", "no_sector_mapping", "no_market_cap", "duplicate_identifier")
WILDCARD = "*"


@dataclass(frozen=True)
class SelectionPolicy:
    target: int = 1000
    min_group_share: float = 0.03
    max_group_share: float = 0.20
    daily_count: int = 100
    weekly_count: int = 350

    def __post_init__(self) -> None:
        if self.target < 1:
            raise ValueError("target must be at least 1")
        if not 0 <= self.min_group_share <= self.max_group_share <= 1:
            raise ValueError("need 0 <= min_group_share <= max_group_share <= 1")


@dataclass
class UniverseSelection:
    selected: list[dict[str, Any]]
    rejected: list[dict[str, Any]]
    stats: dict[str, Any] = field(default_factory=dict)


def _norm(text: Any) -> str:
    return " ".join(str(text or "").split()).casefold()


def build_mapping_index(mapping_rows: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], tuple[str, str]]:
    """``(sector, industry)`` (normalised; industry may be ``*``) -> ``(group, subgroup)``."""
    index: dict[tuple[str, str], tuple[str, str]] = {}
    for row in mapping_rows:
        key = (
            _norm(row["cd_sector"]),
            _norm(row["cd_industry"]) if str(row["cd_industry"]).strip() != WILDCARD else WILDCARD,
        )
        target = (str(row["valuation_group"]).strip(), str(row["valuation_subgroup"]).strip())
        if key in index and index[key] != target:
            raise ValueError(f"mapping conflict for {key}: {index[key]} vs {target}")
        index[key] = target
    return index


def map_sector(
    index: Mapping[tuple[str, str], tuple[str, str]], cd_sector: Any, cd_industry: Any
) -> tuple[str, str] | None:
    sector = _norm(cd_sector)
    return index.get((sector, _norm(cd_industry))) or index.get((sector, WILDCARD))


def rank_score(market_cap: float, dq_score: float) -> float:
    return market_cap * (0.5 + 0.5 * min(1.0, max(0.0, dq_score)))


def company_key(row: Mapping[str, Any]) -> str | None:
    """``NSE:<symbol>``, or ``ACCORD:<code>`` for a BSE-only company; None without either."""
    if row.get("nse_symbol"):
        return f"NSE:{row['nse_symbol']}"
    if row.get("accord_code"):
        return f"ACCORD:{row['accord_code']}"
    return None


# What the universe keeps of a classification row, selected or rejected.
COMPANY_FIELDS = ("nse_symbol", "bse_code", "accord_code", "name", "cd_sector", "cd_industry")


def _company(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: row.get(k) for k in COMPANY_FIELDS}


def _reject(row: Mapping[str, Any], reason: str, detail: str) -> dict[str, Any]:
    return {
        **_company(row),
        "market_cap": row.get("market_cap"),
        "reason": reason,
        "detail": detail,
        "source_row": row.get("source_row"),  # where to fix it in the classification file
    }


def _balanced_pick(
    eligible: Sequence[dict[str, Any]], target: int, policy: SelectionPolicy
) -> tuple[list[int], dict[str, int]]:
    """Indexes into ``eligible`` (sorted best first) chosen by floors, capped fill, uncapped fill."""
    by_group: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(eligible):
        by_group[row["valuation_group"]].append(i)
    groups = len(by_group)
    floor = math.ceil(policy.min_group_share * target)
    cap = max(floor, math.floor(policy.max_group_share * target), math.ceil(target / groups) if groups else 0)
    chosen: set[int] = set()
    counts: Counter[str] = Counter()
    for group, members in by_group.items():
        for i in members[: min(floor, target)]:
            if len(chosen) < target:
                chosen.add(i)
                counts[group] += 1
    for capped in (True, False):
        for i, row in enumerate(eligible):
            if len(chosen) >= target:
                break
            if i in chosen or (capped and counts[row["valuation_group"]] >= cap):
                continue
            chosen.add(i)
            counts[row["valuation_group"]] += 1
    return sorted(chosen), {"floor": floor, "cap": cap}


def select_india_universe(
    companies: Iterable[Mapping[str, Any]],
    mapping_rows: Iterable[Mapping[str, Any]],
    *,
    target: int | None = None,
    alpha_configs: Iterable[Mapping[str, Any]] = (),
    policy: SelectionPolicy | None = None,
) -> UniverseSelection:
    """Selected rows, rejected rows and stats (see module docstring); ``target`` defaults to 1,000.

    Selected row keys: nse_symbol, bse_code, accord_code, name, cd_sector, cd_industry, valuation_group,
    valuation_subgroup, market_cap (float, Rs crore), valuation_frequency (DAILY/WEEKLY/MONTHLY),
    alpha_config_id (str | None), selection_rank (int, 1-based), rank_score (float), dq_score (float).
    Rejected row keys: nse_symbol, bse_code, accord_code, name, cd_sector, cd_industry, market_cap,
    reason (one of :data:`REJECT_REASONS`), detail, source_row (int | None: the company's row in the
    classification file, when the parsed rows carry one).
    """
    policy = policy or SelectionPolicy()
    if target is not None and target != policy.target:
        policy = replace(policy, target=target)  # the caller's target (e.g. VP_INDIA_TARGET) wins
    index = build_mapping_index(mapping_rows)
    alpha_by_symbol: dict[str, str] = {}
    for config in alpha_configs:
        symbol = str(config.get("nse_symbol") or "").strip().upper()
        if symbol and config.get("alpha_config_id"):
            alpha_by_symbol.setdefault(symbol, str(config["alpha_config_id"]))

    total = investable = 0
    rejected: list[dict[str, Any]] = []
    candidates: list[dict[str, Any]] = []
    for row in companies:
        total += 1
        if not row.get("is_investable", True):
            continue
        investable += 1
        if company_key(row) is None:
            rejected.append(_reject(row, "no_identifier", "neither NSE symbol nor Accord code"))
            continue
        mapped = map_sector(index, row.get("cd_sector"), row.get("cd_industry"))
        if mapped is None:
            rejected.append(
                _reject(
                    row,
                    "no_sector_mapping",
                    f"no mapping for ({row.get('cd_sector')!r}, {row.get('cd_industry')!r})",
                )
            )
            continue
        market_cap = row.get("market_cap")
        if market_cap is None or not market_cap > 0:
            rejected.append(_reject(row, "no_market_cap", f"market cap {market_cap!r}"))
            continue
        dq = float(row.get("dq_score", 1.0) if row.get("dq_score") is not None else 1.0)
        candidates.append(
            {
                **_company(row),
                "valuation_group": mapped[0],
                "valuation_subgroup": mapped[1],
                "market_cap": float(market_cap),
                "dq_score": dq,
                "rank_score": rank_score(float(market_cap), dq),
                "_raw": row,
            }
        )

    candidates.sort(key=lambda r: (-r["rank_score"], -r["market_cap"], company_key(r) or ""))
    eligible: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for row in candidates:
        keys = [
            k
            for k in (
                f"NSE:{row['nse_symbol']}" if row["nse_symbol"] else None,
                f"ACCORD:{row['accord_code']}" if row["accord_code"] else None,
            )
            if k
        ]
        clash = next((k for k in keys if k in seen), None)
        if clash:
            rejected.append(
                _reject(row["_raw"], "duplicate_identifier", f"{clash} already used by {seen[clash]!r}")
            )
            continue
        for k in keys:
            seen[k] = str(row["name"])
        eligible.append(row)

    size = min(policy.target, len(eligible))
    picked, limits = _balanced_pick(eligible, size, policy)
    selected = [eligible[i] for i in picked]
    by_cap = sorted(
        range(len(selected)), key=lambda i: (-selected[i]["market_cap"], company_key(selected[i]) or "")
    )
    for position, i in enumerate(by_cap):
        selected[i]["valuation_frequency"] = (
            "DAILY"
            if position < policy.daily_count
            else "WEEKLY"
            if position < policy.daily_count + policy.weekly_count
            else "MONTHLY"
        )
    out: list[dict[str, Any]] = []
    for rank, row in enumerate(selected, start=1):
        row.pop("_raw", None)
        symbol = (row["nse_symbol"] or "").upper()
        out.append({**row, "alpha_config_id": alpha_by_symbol.get(symbol), "selection_rank": rank})

    stats = {
        "companies_total": total,
        "investable": investable,
        "eligible": len(eligible),
        "selected": len(out),
        "target": policy.target,
        "group_floor": limits["floor"],
        "group_cap": limits["cap"],
        "rejected_by_reason": dict(Counter(r["reason"] for r in rejected)),
        "eligible_by_group": dict(Counter(r["valuation_group"] for r in eligible)),
        "selected_by_group": dict(Counter(r["valuation_group"] for r in out)),
        "selected_by_frequency": dict(Counter(r["valuation_frequency"] for r in out)),
        "subgroups_selected": len({r["valuation_subgroup"] for r in out}),
    }
    return UniverseSelection(selected=out, rejected=rejected, stats=stats)
