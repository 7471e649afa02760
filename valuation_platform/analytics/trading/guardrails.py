"""The six guardrails and the playbook check a trade card goes through, each a verdict with a severity
(INFO / WARN / BLOCK), the number it observed, the threshold and the inputs it used, and one line.

* ``liquidity``: ratio = 20-session average daily traded value (bhavcopy turnover) / order value; BLOCK
  below ``MIN_LIQUIDITY_RATIO`` or with no traded value at all.
* ``position_size``: |(held + signed order) quantity x limit price| / NAV (an option strategy: its
  margin); BLOCK above ``MAX_POSITION_PCT``.
* ``sector_exposure``: |the sector's other holdings at their marks + this symbol's position after the
  trade| / NAV; BLOCK above ``MAX_SECTOR_EXPOSURE``.
* ``event_window``: a card opening a new position within ``EVENT_BLACKOUT_DAYS`` calendar days (before or
  after) of a results date is BLOCKed; other corporate events in the window WARN.
* ``market_regime``: the index's last close below its ``REGIME_TREND_SESSIONS`` average is a downtrend;
  annualised volatility of its daily log returns (ddof 1, x sqrt(252)) above ``REGIME_MAX_VOLATILITY`` is
  high. A BUY in a downtrend with high volatility is BLOCKed, with one of the two WARNs; SELLs pass.
* ``catalyst_freshness``: hours from the catalyst to the card's submission; BLOCK above
  ``CATALYST_FRESHNESS_HOURS``.
* ``playbook``: stale signal, gap chase, execution window, tranche size; any violation WARNs and flags the
  card before sizing.

A rule WARNs once its observed value uses ``WARN_FRACTION`` of its limit. A card is BLOCKED when any rule
blocks, FLAGGED when its playbook is broken, APPROVED otherwise; it is judged as of its ``submitted_at``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from valuation_platform.analytics.options.strategies import Leg, Strategy, evaluate_strategy
from valuation_platform.analytics.trading.config import Playbook, Thresholds
from valuation_platform.analytics.trading.treasury import rupees

INFO, WARN, BLOCK = "INFO", "WARN", "BLOCK"
RESULTS = "FINANCIAL_RESULTS"
INDIA = ZoneInfo("Asia/Kolkata")
TRADING_DAYS = 252


def _rs(value: float) -> str:
    """Rupees to the paisa in Indian grouping, as the desk reads amounts."""
    return rupees(round(value * 100))


@dataclass(frozen=True)
class Card:
    card_id: str
    version: int
    account: str
    symbol: str
    side: str
    quantity: int
    limit_price: float
    playbook: str
    sector: str | None
    signal_at: datetime
    catalyst_at: datetime
    submitted_at: datetime
    tranche: int
    planned_quantity: int
    instrument: str = "EQUITY"
    lot_size: int | None = None
    expiry: date | None = None
    legs: tuple[Mapping[str, Any], ...] = ()

    @property
    def sign(self) -> int:
        return 1 if self.side == "BUY" else -1

    @property
    def trade_day(self) -> date:
        return self.submitted_at.astimezone(INDIA).date()


@dataclass(frozen=True)
class Context:
    """What the rules read besides the card, all as of the card's submission."""

    nav: float  # account NAV, Rs
    holdings: Mapping[str, tuple[int, float]]  # symbol -> (quantity, mark) of the account
    sectors: Mapping[str, str]  # symbol -> sector
    turnover: Sequence[float]  # the symbol's daily traded values, newest last (<= ADV_SESSIONS)
    previous_close: float | None  # the symbol's last close before the card's day
    index_closes: Sequence[float]  # the regime index's closes, newest last
    # (event_date, type, purpose) near the card's day; None = the events mart is not available
    events: Sequence[tuple[date, str, str]] | None = field(default_factory=tuple)


@dataclass(frozen=True)
class Verdict:
    rule: str
    severity: str
    observed: float | None
    threshold: float | None
    inputs: dict[str, Any]
    explanation: str


def _band(used: float, warn_fraction: float) -> str:
    """Severity from the fraction of a limit used (> 1 = over the limit)."""
    return BLOCK if used > 1 else WARN if used >= warn_fraction else INFO


def option_measures(card: Card, spot: float, limits: Thresholds) -> dict[str, Any]:
    """The options domain's strategy P&L, margin and probability of profit for the card's legs, per unit and
    for the card's size (lots x lot size)."""
    legs = tuple(Leg("option", (1.0 if leg["side"] == "BUY" else -1.0) * float(leg.get("ratio", 1)),
                     float(leg["premium"]), str(leg["option_type"]), float(leg["strike"]),
                     float(leg["iv"]) if leg.get("iv") is not None else None) for leg in card.legs)
    t_years = max((card.expiry - card.trade_day).days, 0) / 365.0 if card.expiry else 0.0
    measures = evaluate_strategy(Strategy(card.playbook, legs), spot=spot, t_years=t_years,
                                 rate=limits.RISK_FREE_RATE, dividend_yield=0.0, sigma=None)
    units = card.quantity * (card.lot_size or 1)
    return {"units": units, "spot": spot, "t_years": t_years, "pop": measures["pop"],
            "margin_per_unit": measures["margin"], "margin": measures["margin"] * units,
            "max_profit": None if measures["max_profit"] is None else measures["max_profit"] * units,
            "max_loss": None if measures["max_loss"] is None else measures["max_loss"] * units,
            "net_premium": measures["net_premium"] * units, "breakevens": measures["breakevens"]}


def order_value(card: Card) -> float:
    """Rupee value the order moves: shares x limit, or for an option strategy the underlying's notional."""
    return abs(card.quantity) * (card.lot_size or 1) * card.limit_price


def liquidity(card: Card, ctx: Context, t: Thresholds) -> Verdict:
    value = order_value(card)
    inputs = {"order_value": value, "sessions": len(ctx.turnover)}
    if not ctx.turnover or sum(ctx.turnover) <= 0:
        return Verdict("liquidity", BLOCK, None, t.MIN_LIQUIDITY_RATIO, inputs,
                       f"{card.symbol} has no traded value in the last {t.ADV_SESSIONS} sessions")
    adv = float(np.mean(ctx.turnover))
    ratio = adv / value
    severity = _band(t.MIN_LIQUIDITY_RATIO / ratio, t.WARN_FRACTION)
    return Verdict("liquidity", severity, ratio, t.MIN_LIQUIDITY_RATIO, {**inputs, "adv": adv},
                   f"average daily traded value {_rs(adv)} is {ratio:.1f}x the order's {_rs(value)} "
                   f"(minimum {t.MIN_LIQUIDITY_RATIO:g}x)")


def position_size(card: Card, ctx: Context, t: Thresholds, options: Mapping[str, Any] | None = None) -> Verdict:
    held = ctx.holdings.get(card.symbol, (0, 0.0))[0]
    if options is not None:
        after = options["margin"]
        inputs = {"nav": ctx.nav, "margin": after, **{k: options[k] for k in ("pop", "max_loss", "max_profit")}}
        what = f"the strategy's margin {_rs(after)}"
    else:
        after = (held + card.sign * card.quantity) * card.limit_price
        inputs = {"nav": ctx.nav, "held": held, "position_after": after}
        what = f"position after the trade {_rs(abs(after))}"
    share = abs(after) / ctx.nav
    return Verdict("position_size", _band(share / t.MAX_POSITION_PCT, t.WARN_FRACTION), share, t.MAX_POSITION_PCT,
                   inputs, f"{what} is {share:.1%} of NAV {_rs(ctx.nav)} (limit {t.MAX_POSITION_PCT:.0%})")


def sector_exposure(card: Card, ctx: Context, t: Thresholds, options: Mapping[str, Any] | None = None) -> Verdict:
    sector = ctx.sectors.get(card.symbol) or card.sector
    if not sector:
        return Verdict("sector_exposure", BLOCK, None, t.MAX_SECTOR_EXPOSURE, {"symbol": card.symbol},
                       f"{card.symbol} has no sector (neither dim_nse_symbol nor the card names one)")
    others = sum(q * p for s, (q, p) in ctx.holdings.items() if s != card.symbol and ctx.sectors.get(s) == sector)
    held = ctx.holdings.get(card.symbol, (0, 0.0))[0]
    own = options["margin"] if options is not None else (held + card.sign * card.quantity) * card.limit_price
    share = abs(others + own) / ctx.nav
    return Verdict("sector_exposure", _band(share / t.MAX_SECTOR_EXPOSURE, t.WARN_FRACTION), share,
                   t.MAX_SECTOR_EXPOSURE, {"sector": sector, "sector_other_holdings": others, "symbol_after": own,
                                           "nav": ctx.nav},
                   f"{sector} would be {share:.1%} of NAV after the trade (limit {t.MAX_SECTOR_EXPOSURE:.0%})")


def event_window(card: Card, ctx: Context, t: Thresholds) -> Verdict:
    if ctx.events is None:
        return Verdict("event_window", WARN, None, t.EVENT_BLACKOUT_DAYS, {"events": None},
                       "corporate events unavailable (marts.fct_corporate_events not built): window not checked")
    held = ctx.holdings.get(card.symbol, (0, 0.0))[0]
    opens = held == 0 or (held > 0) != (card.sign > 0)
    near = [(abs((d - card.trade_day).days), d, kind, purpose) for d, kind, purpose in ctx.events
            if abs((d - card.trade_day).days) <= t.EVENT_BLACKOUT_DAYS]
    results = sorted(n for n in near if n[2] == RESULTS)
    inputs = {"new_position": opens, "events": [{"date": d.isoformat(), "type": k, "purpose": p} for _, d, k, p in near]}
    if results and opens:
        days, when, _, _ = results[0]
        return Verdict("event_window", BLOCK, days, t.EVENT_BLACKOUT_DAYS, inputs,
                       f"results on {when} are {days} day(s) from {card.trade_day}: no new position within "
                       f"{t.EVENT_BLACKOUT_DAYS} days")
    if near:
        days, when, kind, _ = min(near)
        return Verdict("event_window", WARN, days, t.EVENT_BLACKOUT_DAYS, inputs,
                       f"{kind.lower().replace('_', ' ')} on {when} within {t.EVENT_BLACKOUT_DAYS} days"
                       + ("" if opens else " (adds to or reduces a held position)"))
    return Verdict("event_window", INFO, None, t.EVENT_BLACKOUT_DAYS, inputs,
                   f"no corporate event within {t.EVENT_BLACKOUT_DAYS} days of {card.trade_day}")


def market_regime(card: Card, ctx: Context, t: Thresholds) -> Verdict:
    closes = np.asarray(ctx.index_closes[-t.REGIME_TREND_SESSIONS:], dtype=float)
    if closes.size < t.REGIME_MIN_SESSIONS:
        return Verdict("market_regime", WARN, None, t.REGIME_MAX_VOLATILITY, {"sessions": int(closes.size)},
                       f"{t.REGIME_INDEX_SYMBOL}: {closes.size} sessions of history, regime unknown")
    average = float(closes.mean())
    down = bool(closes[-1] < average)
    vol = float(np.std(np.diff(np.log(closes)), ddof=1) * math.sqrt(TRADING_DAYS))
    high = vol > t.REGIME_MAX_VOLATILITY
    inputs = {"index": t.REGIME_INDEX_SYMBOL, "last_close": float(closes[-1]), "average": average,
              "sessions": int(closes.size), "volatility": vol, "downtrend": down, "high_volatility": high}
    state = f"{'down' if down else 'up'}trend, volatility {vol:.1%} ({'high' if high else 'normal'})"
    if card.side != "BUY":
        severity = INFO
    else:
        severity = BLOCK if down and high else WARN if down or high else INFO
    return Verdict("market_regime", severity, vol, t.REGIME_MAX_VOLATILITY, inputs,
                   f"{t.REGIME_INDEX_SYMBOL} {state}" + ("" if card.side == "BUY" else "; the gate applies to buys"))


def catalyst_freshness(card: Card, t: Thresholds) -> Verdict:
    hours = (card.submitted_at - card.catalyst_at).total_seconds() / 3600.0
    inputs = {"catalyst_at": card.catalyst_at.isoformat(), "submitted_at": card.submitted_at.isoformat()}
    if hours < 0:
        return Verdict("catalyst_freshness", INFO, hours, t.CATALYST_FRESHNESS_HOURS, inputs,
                       f"catalyst is {-hours:.1f} h ahead")
    return Verdict("catalyst_freshness", _band(hours / t.CATALYST_FRESHNESS_HOURS, t.WARN_FRACTION), hours,
                   t.CATALYST_FRESHNESS_HOURS, inputs,
                   f"catalyst is {hours:.1f} h old (stale after {t.CATALYST_FRESHNESS_HOURS:g} h)")


def playbook_check(card: Card, book: Playbook | None, previous_close: float | None) -> Verdict:
    if book is None:  # the card landed under a playbook since removed from the reviewed seed
        return Verdict("playbook", BLOCK, None, None, {"playbook": card.playbook},
                       f"playbook {card.playbook!r} is not in the reviewed playbooks seed")
    problems = []
    signal_minutes = (card.submitted_at - card.signal_at).total_seconds() / 60.0
    if signal_minutes > book.stale_minutes:
        problems.append(f"signal {signal_minutes:.0f} min old (stale after {book.stale_minutes:g})")
    gap = None
    if previous_close:
        gap = card.sign * (card.limit_price / previous_close - 1.0) * 100.0
        if gap > book.gap_chase_max_percent:
            problems.append(f"limit {gap:.2f} % beyond the previous close (max {book.gap_chase_max_percent:g} %)")
    window_hours = (card.submitted_at - card.catalyst_at).total_seconds() / 3600.0
    if window_hours > book.execution_window_hours:
        problems.append(f"{window_hours:.1f} h after the catalyst (window {book.execution_window_hours:g} h)")
    allowed = None
    if not 1 <= card.tranche <= len(book.tranche_sizes):
        problems.append(f"tranche {card.tranche} of a {len(book.tranche_sizes)}-tranche playbook")
    else:
        allowed = round(book.tranche_sizes[card.tranche - 1] * card.planned_quantity)
        if card.quantity > allowed:
            problems.append(f"quantity {card.quantity} above tranche {card.tranche}'s {allowed}")
    inputs = {"signal_minutes": signal_minutes, "gap_percent": gap, "hours_after_catalyst": window_hours,
              "tranche_allowed_quantity": allowed, "violations": problems}
    return Verdict("playbook", WARN if problems else INFO, float(len(problems)), 0.0, inputs,
                   f"{book.playbook}: " + ("; ".join(problems) if problems else "within the playbook"))


def evaluate(card: Card, ctx: Context, t: Thresholds, book: Playbook | None) -> list[Verdict]:
    """Every verdict for one card (the playbook's first: a broken playbook is flagged before sizing)."""
    options = None
    if card.instrument == "OPTION_STRATEGY":
        options = option_measures(card, ctx.previous_close or card.limit_price, t)
    return [playbook_check(card, book, ctx.previous_close), liquidity(card, ctx, t),
            position_size(card, ctx, t, options), sector_exposure(card, ctx, t, options),
            event_window(card, ctx, t), market_regime(card, ctx, t), catalyst_freshness(card, t)]


def decision(verdicts: Sequence[Verdict]) -> str:
    if any(v.severity == BLOCK for v in verdicts):
        return "BLOCKED"
    if any(v.rule == "playbook" and v.severity != INFO for v in verdicts):
        return "FLAGGED"
    return "APPROVED"
