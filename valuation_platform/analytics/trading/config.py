"""The desk's reviewed settings, parsed from the rows of their dbt seeds (the one copy of each):
``seeds/trading/trading_thresholds.csv`` (guardrail and learning-loop thresholds, documented there) and
``seeds/trading/playbooks.csv``. Parsing is strict: an unknown, missing or unreadable value is an error
naming the setting, never a silent default."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Thresholds:
    MIN_LIQUIDITY_RATIO: float  # 20-day average daily traded value / order value must be >= this
    ADV_SESSIONS: int  # sessions in the average daily traded value
    MAX_POSITION_PCT: float  # |position value after the trade| / account NAV
    MAX_SECTOR_EXPOSURE: float  # |sector's value after the trade| / account NAV
    EVENT_BLACKOUT_DAYS: int  # no new position within this many calendar days of a results date
    REGIME_INDEX_SYMBOL: str  # the bhavcopy symbol that stands for the index (an index ETF)
    REGIME_TREND_SESSIONS: int  # trend = last close vs its simple average over this many sessions
    REGIME_MAX_VOLATILITY: float  # annualised volatility above this is a high-volatility state
    REGIME_MIN_SESSIONS: int  # fewer sessions of index history: the regime is unknown (WARN)
    CATALYST_FRESHNESS_HOURS: float  # a catalyst older than this at submission is stale
    WARN_FRACTION: float  # WARN once a rule's observed value uses this fraction of its limit
    RISK_FREE_RATE: float  # continuously compounded, for option strategy cards
    ROLLING_TRADES: int  # the learning loop's rolling window (closed trades per playbook)
    MAX_WIN_RATE_DROP: float  # rolling win rate this far below the baseline's raises an alert
    MAX_EXPECTANCY_DROP: float  # likewise for expectancy (return per trade)
    MIN_THRESHOLD_TRADES: int  # a proposed meta-label threshold must keep at least this many trades

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, str]]) -> Thresholds:
        values = {r["name"].strip(): r["value"].strip() for r in rows}
        kinds = {f.name: f.type for f in fields(cls)}
        unknown = sorted(set(values) - set(kinds))
        missing = sorted(set(kinds) - set(values))
        if unknown or missing:
            raise ValueError(f"trading_thresholds: unknown {unknown or 'none'}, missing {missing or 'none'}")
        parsed = {}
        for name, kind in kinds.items():
            try:
                parsed[name] = {"float": float, "int": int, "str": str}[kind](values[name])
            except ValueError:
                raise ValueError(f"trading_thresholds: {name} = {values[name]!r} is not a {kind}") from None
        return cls(**parsed)


@dataclass(frozen=True)
class Playbook:
    playbook: str
    stale_minutes: float  # signal -> submission longer than this: a stale signal
    gap_chase_max_percent: float  # limit this far beyond the previous close (in the trade's direction)
    execution_window_hours: float  # catalyst -> submission longer than this: outside the window
    tranche_sizes: tuple[float, ...]  # fractions of the planned position per tranche, e.g. 0.5/0.3/0.2
    meta_label_threshold: float  # current meta-label score cut-off (the learning loop proposes changes)

    @classmethod
    def from_row(cls, row: Mapping[str, str]) -> Playbook:
        name = row["playbook"].strip()
        try:
            tranches = tuple(float(x) for x in row["tranche_sizes"].split("/"))
            book = cls(name, float(row["stale_minutes"]), float(row["gap_chase_max_percent"]),
                       float(row["execution_window_hours"]), tranches, float(row["meta_label_threshold"]))
        except (KeyError, ValueError) as exc:
            raise ValueError(f"playbooks: row {name!r} is unreadable ({exc})") from None
        if abs(sum(tranches) - 1.0) > 1e-9:
            raise ValueError(f"playbooks: {name!r} tranche sizes {row['tranche_sizes']} do not add up to 1")
        return book


def playbooks(rows: Iterable[Mapping[str, str]]) -> dict[str, Playbook]:
    return {p.playbook: p for p in map(Playbook.from_row, rows)}
