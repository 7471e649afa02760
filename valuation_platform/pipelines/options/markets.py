"""The two option markets and the snapshot-to-partition rule.

The live chain APIs only ever serve the CURRENT snapshot, hence the rule:

* A snapshot belongs to the ``OPTIONS_DAILY`` partition of its OWN timestamp: its date in the market's
  time zone (Asia/Kolkata for NSE, America/New_York for the US), a weekend date rolling back to Friday.
  Rows land only when that partition is one of the run's partitions; otherwise they are reported as
  skipped. So a holiday run, or a mirror recorded on another day, never files data under the wrong day.
* Live, the chains are fetched only when the run includes the market's current partition: fetching for
  a past partition could only return today's data. On a mirror they are always read, and the rule
  above decides where (if anywhere) each snapshot lands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Literal
from zoneinfo import ZoneInfo

from valuation_platform.analytics.options.chain_metrics import NSE_EXPIRY_TIME, NSE_TZ, US_EXPIRY_TIME, US_TZ
from valuation_platform.sources.nse import option_chain as nse
from valuation_platform.sources.polygon import options_snapshot as polygon

Market = Literal["nse", "us"]


@dataclass(frozen=True)
class MarketSpec:
    tz: str
    expiry_time: time
    source: str  # the source name SourceUnavailable and the quarantine use


MARKETS: dict[str, MarketSpec] = {
    "nse": MarketSpec(NSE_TZ, NSE_EXPIRY_TIME, nse.SOURCE),
    "us": MarketSpec(US_TZ, US_EXPIRY_TIME, polygon.SOURCE),
}

# Defaults of the pricing inputs (continuous rates), overridable per run:
# NSE: ~6.5 %, between the 91-day T-bill and the 10-year G-sec yields of 2025-26.
# US: ~4.5 %, the 3-month T-bill. Dividend yields: index/stock trailing yields (NIFTY 50 ~1.2 %,
# BANK NIFTY ~0.8 %, FIN NIFTY ~0.9 %, NIFTY MIDCAP SELECT ~0.7 %, RELIANCE ~0.3 %); anything unlisted uses 0.
DEFAULT_RATES: dict[str, float] = {"nse": 0.065, "us": 0.045}
DEFAULT_DIVIDEND_YIELDS: dict[str, float] = {
    "NIFTY": 0.012,
    "BANKNIFTY": 0.008,
    "FINNIFTY": 0.009,
    "MIDCPNIFTY": 0.007,
    "RELIANCE": 0.003,
}


def trading_date(ts: datetime, market: str) -> date:
    """The snapshot's date in its market's time zone."""
    return ts.astimezone(ZoneInfo(MARKETS[market].tz)).date()


def partition_of_day(day: date) -> str:
    """The weekday partition a date falls in (Saturday and Sunday belong to Friday's window)."""
    return (day - timedelta(days=max(day.weekday() - 4, 0))).isoformat()


def partition_for(ts: datetime, market: str) -> str:
    return partition_of_day(trading_date(ts, market))


def should_fetch(client_mode: str, run_keys: Sequence[str], market: str, now: datetime | None = None) -> bool:
    """Live: only when the run includes the market's current partition. Mirrors: always."""
    if client_mode != "live":
        return True
    return partition_for(now or datetime.now(timezone.utc), market) in set(run_keys)
