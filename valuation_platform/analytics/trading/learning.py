"""The learning loop: closed round trips from fills, per-playbook quality, and drift with a proposed
meta-label threshold (a proposal only: a human approves it by editing the reviewed playbooks seed).

Conventions:

* A trade is its fills with one ``trade_id``. The first fill's side opens it (BUY = LONG, SELL = SHORT);
  it is closed when the opposite side's quantity equals the opening quantity. Prices are
  quantity-weighted averages; ``pnl = direction x (exit - entry) x quantity - fees``;
  ``return = pnl / (entry x quantity)``; a win is ``pnl > 0``; the month is the exit's (India time).
* Per (playbook, strategy, exit month), the series is the trades' returns in exit order:
  win rate, average win, average loss (<= 0), expectancy = mean return (= win rate x average win +
  (1 - win rate) x average loss), Sharpe per trade = mean / std (ddof 1) without annualisation
  (empyrical's ``sharpe_ratio(r, annualization=1)``; computed with the portfolio domain's
  ``sharpe_ratio``, which annualises by sqrt(252), divided back), maximum drawdown of the compounded
  per-trade equity curve (the portfolio domain's ``max_drawdown``).
* Drift, per playbook: the last ``ROLLING_TRADES`` trades against all earlier ones (at least as many);
  an alert when the win rate or the expectancy fell by more than its allowed drop. The proposed threshold
  is the lowest meta score (among the playbook's trades' scores, above the current threshold) whose trades
  scoring at least that much have an expectancy >= the baseline's, keeping at least
  ``MIN_THRESHOLD_TRADES`` trades; none when no score qualifies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np

from valuation_platform.analytics.portfolio import TRADING_DAYS
from valuation_platform.analytics.portfolio.performance import max_drawdown, sharpe_ratio
from valuation_platform.analytics.trading.config import Playbook, Thresholds

INDIA = ZoneInfo("Asia/Kolkata")


@dataclass(frozen=True)
class Fill:
    fill_id: str
    trade_id: str
    account: str
    symbol: str
    side: str
    quantity: int
    price: float
    fees: float
    filled_at: datetime
    playbook: str
    strategy: str
    meta_score: float | None


def close_trades(fills: Iterable[Fill]) -> list[dict]:
    """One outcome per closed trade (open ones are left out), ordered by exit time."""
    by_trade: dict[str, list[Fill]] = {}
    for f in fills:
        by_trade.setdefault(f.trade_id, []).append(f)
    out = []
    for trade_id, group in by_trade.items():
        group.sort(key=lambda f: (f.filled_at, f.fill_id))
        opening = group[0].side
        entry = [f for f in group if f.side == opening]
        exit_ = [f for f in group if f.side != opening]
        qty = sum(f.quantity for f in entry)
        if not exit_ or sum(f.quantity for f in exit_) != qty:
            continue
        entry_px = sum(f.quantity * f.price for f in entry) / qty
        exit_px = sum(f.quantity * f.price for f in exit_) / qty
        direction = 1.0 if opening == "BUY" else -1.0
        fees = sum(f.fees for f in group)
        pnl = direction * (exit_px - entry_px) * qty - fees
        opened, closed = group[0].filled_at, group[-1].filled_at
        local = closed.astimezone(INDIA)
        out.append({
            "trade_id": trade_id, "account": group[0].account, "symbol": group[0].symbol,
            "playbook": group[0].playbook, "strategy": group[0].strategy,
            "direction": "LONG" if direction > 0 else "SHORT", "quantity": qty, "entry_price": entry_px,
            "exit_price": exit_px, "opened_at": opened, "closed_at": closed,
            "exit_month": date(local.year, local.month, 1),
            "holding_hours": (closed - opened).total_seconds() / 3600.0, "fees": fees, "pnl": pnl,
            "return_pct": pnl / (entry_px * qty), "is_win": pnl > 0, "meta_score": group[0].meta_score,
        })
    return sorted(out, key=lambda t: (t["closed_at"], t["trade_id"]))


def quality(returns: Sequence[float]) -> dict[str, float | None]:
    r = np.asarray(returns, dtype=float)
    wins, losses = r[r > 0], r[r <= 0]
    sharpe = float(sharpe_ratio(r) / np.sqrt(TRADING_DAYS)) if r.size > 1 else None
    return {"trades": int(r.size), "win_rate": float(wins.size / r.size),
            "avg_win": float(wins.mean()) if wins.size else None,
            "avg_loss": float(losses.mean()) if losses.size else None,
            "expectancy": float(r.mean()), "sharpe": sharpe if sharpe is None or np.isfinite(sharpe) else None,
            "max_drawdown": float(max_drawdown(r))}


def playbook_performance(outcomes: Sequence[Mapping]) -> list[dict]:
    groups: dict[tuple, list[Mapping]] = {}
    for t in outcomes:
        groups.setdefault((t["playbook"], t["strategy"], t["exit_month"]), []).append(t)
    rows = []
    for (playbook, strategy, month), trades in sorted(groups.items()):
        rows.append({"playbook": playbook, "strategy": strategy, "exit_month": month,
                     **quality([t["return_pct"] for t in trades]),
                     "avg_holding_hours": float(np.mean([t["holding_hours"] for t in trades])),
                     "total_pnl": float(sum(t["pnl"] for t in trades))})
    return rows


def proposed_threshold(trades: Sequence[Mapping], current: float, baseline: float, min_trades: int) -> float | None:
    scores = sorted({t["meta_score"] for t in trades if t["meta_score"] is not None and t["meta_score"] > current})
    for score in scores:
        kept = [t["return_pct"] for t in trades if t["meta_score"] is not None and t["meta_score"] >= score]
        if len(kept) >= min_trades and float(np.mean(kept)) >= baseline:
            return score
    return None


def drift_alerts(outcomes: Sequence[Mapping], books: Mapping[str, Playbook], limits: Thresholds) -> list[dict]:
    n = limits.ROLLING_TRADES
    by_book: dict[str, list[Mapping]] = {}
    for t in outcomes:
        by_book.setdefault(t["playbook"], []).append(t)
    alerts = []
    for playbook, trades in sorted(by_book.items()):
        trades = sorted(trades, key=lambda t: (t["closed_at"], t["trade_id"]))
        if len(trades) < 2 * n or playbook not in books:
            continue
        base, recent = quality([t["return_pct"] for t in trades[:-n]]), quality([t["return_pct"] for t in trades[-n:]])
        for metric, allowed in (("win_rate", limits.MAX_WIN_RATE_DROP), ("expectancy", limits.MAX_EXPECTANCY_DROP)):
            drop = base[metric] - recent[metric]
            if drop <= allowed:
                continue
            current = books[playbook].meta_label_threshold
            proposal = proposed_threshold(trades, current, base["expectancy"], limits.MIN_THRESHOLD_TRADES)
            alerts.append({
                "playbook": playbook, "as_of": trades[-1]["closed_at"], "metric": metric,
                "baseline": base[metric], "rolling": recent[metric], "decline": drop, "allowed_drop": allowed,
                "current_threshold": current, "proposed_threshold": proposal, "status": "AWAITING_APPROVAL",
                "explanation": (f"{playbook}: {metric} of the last {n} trades {recent[metric]:.4f} vs "
                                f"{base[metric]:.4f} before (drop {drop:.4f} > {allowed:.4f}); "
                                + (f"proposed meta-label threshold {proposal:g} (now {current:g})" if proposal is not None
                                   else "no meta-label threshold restores the baseline expectancy")),
            })
    return alerts
