"""The ownership invariants the asset checks report: each reads the warehouse and returns
``(passed, report)`` with a plain-Python report (``lib.metadata`` turns it into Dagster metadata)."""

from __future__ import annotations

from typing import Any

import psycopg

from valuation_platform.pipelines.report import Markdown

MAX_TOTALS_MISMATCH_SHARE = 0.02  # real filers occasionally misstate their own summary page
EXAMPLES = 10

CheckOutcome = tuple[bool, dict[str, Any]]


def _examples(lines: list[str]) -> Markdown:
    return Markdown("\n".join(lines[:EXAMPLES]) or "(none)")


def cover_totals(conn: psycopg.Connection) -> CheckOutcome:
    """XML 13F filings whose information table disagrees with its cover page's line count or value total
    (``tableEntryTotal`` / ``tableValueTotal``): the filer's own summary, an independent figure."""
    rows = conn.execute(
        """
        select f.accession, f.table_entry_total, f.table_value_total,
               count(h.accession), coalesce(sum(h.value_reported), 0)
        from raw.sec_13f_filings f
        left join raw.sec_13f_holdings h using (accession)
        where f.origin = 'xml' and f.table_entry_total is not null
        group by f.accession, f.table_entry_total, f.table_value_total
        """
    ).fetchall()
    bad = [r for r in rows if r[1] != r[3] or (r[2] is not None and r[2] != r[4])]
    share = len(bad) / len(rows) if rows else 0.0
    return share <= MAX_TOTALS_MISMATCH_SHARE, {
        "filings_checked": len(rows),
        "filings_disagreeing": len(bad),
        "examples": _examples([f"- {a}: cover {n}/{v}, table {c}/{s}" for a, n, v, c, s in bad]),
    }


def restated_originals_left(conn: psycopg.Connection) -> CheckOutcome:
    """Form 4 lines a later 4/A restates (same issuer, owners and period, filed on the amendment's
    date of original submission) that are still in ``marts.fct_insider_trades``."""
    rows = conn.execute(
        """
        with filings as (
            select distinct accession, issuer_cik, reporting_owner_key, period_of_report, filing_date,
                   is_amendment, date_of_original_submission
            from staging.stg_sec__form4_transactions
        )
        select distinct earlier.accession, amendment.accession
        from filings amendment
        join filings earlier
          on earlier.issuer_cik = amendment.issuer_cik
         and earlier.reporting_owner_key = amendment.reporting_owner_key
         and earlier.period_of_report = amendment.period_of_report
         and earlier.filing_date = amendment.date_of_original_submission
         and not earlier.is_amendment
        where amendment.is_amendment
          and exists (select 1 from marts.fct_insider_trades t where t.accession = earlier.accession)
        """
    ).fetchall()
    (amendments,) = conn.execute(
        "select count(distinct accession) from marts.fct_insider_trades where is_amendment"
    ).fetchone()
    return not rows, {
        "amendments_in_mart": int(amendments),
        "restated_originals_left": len(rows),
        "examples": _examples([f"- {o} restated by {a}" for o, a in rows]),
    }
