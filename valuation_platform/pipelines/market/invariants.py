"""Invariants of the stored bars and indicators, computed in the warehouse (the market asset checks)."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

TOLERANCE = 1e-9  # relative: prices are rounded to 4 decimals after adjustment
INCONSISTENT = (
    "low > least(open, close) * (1 + %(tol)s) or high < greatest(open, close) * (1 - %(tol)s) or volume < 0"
)


@dataclass(frozen=True)
class BarsCheck:
    checked: int
    inconsistent: int
    examples: list[tuple]


def inconsistent_bars(conn: psycopg.Connection) -> BarsCheck:
    """Bars whose low/high do not bracket open and close, or with a negative volume."""
    checked, bad = conn.execute(
        f"select count(*), count(*) filter (where {INCONSISTENT}) from raw.polygon_daily_bars", {"tol": TOLERANCE}
    ).fetchone()  # type: ignore[misc]
    examples = conn.execute(
        "select ticker, trade_date, open, high, low, close from raw.polygon_daily_bars"
        f" where {INCONSISTENT} order by trade_date desc limit 5",
        {"tol": TOLERANCE},
    ).fetchall()
    return BarsCheck(int(checked), int(bad), [tuple(r) for r in examples])


@dataclass(frozen=True)
class IndicatorsCheck:
    checked: int
    rsi_out_of_range: int
    bands_out_of_order: int
    warm_up_out_of_order: int

    @property
    def passed(self) -> bool:
        return self.checked > 0 and self.rsi_out_of_range == self.bands_out_of_order == self.warm_up_out_of_order == 0


def indicator_invariants(conn: psycopg.Connection) -> IndicatorsCheck:
    """RSI in [0, 100], Bollinger lower <= middle <= upper, and warm-ups that nest: a long-window value implies
    every shorter one (252 > 199 > 49 > 33 > 25 > 19 > 14 sessions)."""
    row = conn.execute(
        """
        select count(*),
               count(*) filter (where rsi_14 < 0 or rsi_14 > 100),
               count(*) filter (where bb_lower > bb_middle + 1e-9 or bb_middle > bb_upper + 1e-9),
               count(*) filter (where (return_12m is not null and sma_200 is null)
                                   or (sma_200 is not null and sma_50 is null)
                                   or (sma_50 is not null and macd_signal is null)
                                   or (macd_signal is not null and macd is null)
                                   or (macd is not null and bb_middle is null)
                                   or (bb_middle is not null and rsi_14 is null))
        from analytics.technical_indicators
        """
    ).fetchone()
    return IndicatorsCheck(*(int(v) for v in row))  # type: ignore[union-attr]
