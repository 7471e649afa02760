"""Text of the social posts the platform drafts for a manager (never posted by the platform)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date
from typing import Any

MAX_CHARS = 280  # one post on the common platforms
DISCLAIMER = "Not investment advice."


def post_id(kind: str, subject: str, day: date) -> str:
    return hashlib.md5(f"{kind}|{subject}|{day.isoformat()}".encode()).hexdigest()


def _money(value: Any) -> str:
    return f"Rs {float(value):,.0f}" if value is not None else "n/a"


def valuation_alert_text(alert: Mapping[str, Any]) -> str:
    """``fct_valuation_alerts`` row -> post text."""
    parts = [f"{alert['nse_symbol']}: intrinsic value {'up' if alert['direction'] == 'UP' else 'down'} "
             f"{abs(float(alert['change_pct'])):.1f}% to {_money(alert['intrinsic_value_per_share'])} per share"]
    if alert.get("cmp") is not None:
        upside = alert.get("upside_pct")
        parts.append(f"(price {_money(alert['cmp'])}" + (f", upside {float(upside):+.1f}%)" if upside is not None else ")"))
    if alert.get("main_factor"):
        parts.append(f"- main factor: {str(alert['main_factor']).replace('_', ' ')}.")
    return _fit(" ".join(parts))


def opportunity_text(symbol: str, score: float, rank: int) -> str:
    return _fit(f"{symbol} ranks #{rank} on today's opportunity screen (score {score:.1f}).")


def _fit(text: str) -> str:
    full = f"{text} {DISCLAIMER}"
    if len(full) <= MAX_CHARS:
        return full
    room = MAX_CHARS - len(DISCLAIMER) - 2
    return f"{text[:room].rstrip()}… {DISCLAIMER}"
