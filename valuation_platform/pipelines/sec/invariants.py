"""Domain invariants of the fundamentals marts, computed in the warehouse."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

# assets = liabilities + temporary (mezzanine) equity + total equity incl. noncontrolling interests
GAP = "(total_assets - total_liabilities - total_equity - coalesce(temporary_equity, 0))"
COMPLETE = "total_assets is not null and total_liabilities is not null and total_equity is not null"


@dataclass(frozen=True)
class IdentityCheck:
    rows_checked: int
    rows_violating: int
    worst: list[tuple[str, int, str, float]]  # ticker, fiscal year, period, gap / total assets

    @property
    def violation_share(self) -> float:
        return self.rows_violating / self.rows_checked if self.rows_checked else 0.0


def balance_sheet_identity(conn: psycopg.Connection, tolerance: float) -> IdentityCheck:
    """Rows of ``marts.fct_financial_statements`` whose balance sheet misses the identity by more than
    ``tolerance`` of total assets, and the five worst."""
    checked, bad = conn.execute(
        f"select count(*), count(*) filter (where abs({GAP}) > %s * abs(total_assets))"
        f" from marts.fct_financial_statements where {COMPLETE}",
        (tolerance,),
    ).fetchone()  # type: ignore[misc]
    worst = conn.execute(
        f"select ticker, fiscal_year, fiscal_period, round(({GAP} / nullif(total_assets, 0))::numeric, 4)::float8"
        f" from marts.fct_financial_statements where {COMPLETE}"
        f" order by abs({GAP}) / nullif(abs(total_assets), 0) desc nulls last limit 5"
    ).fetchall()
    return IdentityCheck(int(checked), int(bad), [tuple(r) for r in worst])  # type: ignore[misc]
