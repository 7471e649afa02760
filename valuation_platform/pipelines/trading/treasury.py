"""Treasury steps: accounts and transfer requests from the landing folder; the ledger, its decisions and
claw-back proposals (rules: analytics.trading.treasury); the reconciliation the daily check runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg

from valuation_platform.analytics.trading.treasury import Account, Transfer, clawbacks, post_transfers, rupees
from valuation_platform.pipelines.portfolio.reports import Reports, reports_by_table
from valuation_platform.pipelines.landing import BadRow
from valuation_platform.pipelines.report import markdown_table
from valuation_platform.pipelines.trading.desk_files import (
    ACCOUNTS, TRANSFERS, day, load_area, paise, required, timestamp,
)
from valuation_platform.warehouse.tables.trading_desk import (
    TRADING_ACCOUNTS, TREASURY_CLAWBACKS, TREASURY_DECISIONS, TREASURY_LEDGER, TREASURY_TRANSFERS,
)
from valuation_platform.warehouse.upsert import upsert

ACCOUNT_COLUMNS = ("Account", "Account Name", "As Of", "Opening Balance (Rs)", "Statement Balance (Rs)",
                   "Minimum Buffer (Rs)", "Maximum Loan (Rs)")
TRANSFER_COLUMNS = ("Transfer ID", "From Account", "To Account", "Amount (Rs)", "Requested At", "Requested By",
                    "Approved By", "Approved At", "Reason")


def _account(rec: dict[str, str]) -> dict[str, Any]:
    return {"account": required(rec, "Account"), "account_name": rec.get("Account Name") or rec["Account"],
            "as_of": day(required(rec, "As Of"), "As Of"),
            "opening_balance_paise": paise(required(rec, "Opening Balance (Rs)"), "Opening Balance (Rs)"),
            "balance_paise": paise(required(rec, "Statement Balance (Rs)"), "Statement Balance (Rs)"),
            "min_buffer_paise": paise(required(rec, "Minimum Buffer (Rs)"), "Minimum Buffer (Rs)"),
            "max_loan_paise": paise(required(rec, "Maximum Loan (Rs)"), "Maximum Loan (Rs)")}


def _transfer(rec: dict[str, str]) -> dict[str, Any]:
    from_account, to_account = required(rec, "From Account"), required(rec, "To Account")
    if from_account == to_account:
        raise BadRow("To Account", f"a transfer from {from_account} to itself")
    approved_by = rec.get("Approved By") or None
    approved_at = timestamp(rec.get("Approved At", ""), "Approved At", required=False)
    return {"transfer_id": required(rec, "Transfer ID"), "from_account": from_account, "to_account": to_account,
            "amount_paise": paise(required(rec, "Amount (Rs)"), "Amount (Rs)", positive=True),
            "requested_at": timestamp(rec.get("Requested At", ""), "Requested At"),
            "requested_by": required(rec, "Requested By"), "approved_by": approved_by,
            "approved_at": approved_at, "reason": rec.get("Reason") or None}


def load_accounts(conn: psycopg.Connection, folder: Path) -> dict[str, Any]:
    return load_area(conn, folder, ACCOUNTS, TRADING_ACCOUNTS, required_columns=ACCOUNT_COLUMNS, row=_account,
                     asset_key="trading_accounts")


def load_transfers(conn: psycopg.Connection, folder: Path) -> dict[str, Any]:
    return load_area(conn, folder, TRANSFERS, TREASURY_TRANSFERS, required_columns=TRANSFER_COLUMNS,
                     row=_transfer, asset_key="treasury_transfers")


def _accounts(conn: psycopg.Connection) -> dict[str, Account]:
    rows = conn.execute("select account, opening_balance_paise, min_buffer_paise, max_loan_paise"
                        " from raw.trading_accounts").fetchall()
    return {a: Account(a, o, b, m) for a, o, b, m in rows}


def record_treasury(conn: psycopg.Connection, now: datetime) -> Reports:
    """Post what is approved and within the limits, record every request's outcome, and propose claw-backs.
    Transfers already in the ledger stay posted as they are (idempotent by transfer id)."""
    with conn.transaction():
        accounts = _accounts(conn)
        transfers = [Transfer(*r) for r in conn.execute(
            "select transfer_id, from_account, to_account, amount_paise, requested_at, approved_by, approved_at"
            " from raw.treasury_transfers").fetchall()]
        posted = [t for (t,) in conn.execute(
            "select distinct transfer_id from analytics.treasury_ledger").fetchall()]
    entries, decisions, book = post_transfers(accounts, transfers, posted)
    proposals = clawbacks(accounts, book)
    fresh = [e for e in entries if e.transfer_id not in set(posted)]
    results = [
        upsert(conn, TREASURY_LEDGER, [vars(e) for e in fresh], source="treasury"),
        upsert(conn, TREASURY_DECISIONS, [{**vars(d), "decided_at": now} for d in decisions], source="treasury"),
    ]
    with conn.transaction():  # proposals describe today's shortfalls: yesterday's are replaced
        conn.execute("delete from analytics.treasury_clawbacks")
    results.append(upsert(conn, TREASURY_CLAWBACKS, [{**vars(c), "status": "PROPOSED", "proposed_at": now}
                                                     for c in proposals], source="treasury"))
    reports = reports_by_table(conn, [TREASURY_LEDGER, TREASURY_DECISIONS, TREASURY_CLAWBACKS], results,
                               order_by="1")
    counts: dict[str, int] = {}
    for d in decisions:
        counts[d.status] = counts.get(d.status, 0) + 1
    reports[TREASURY_LEDGER.name] |= {"posted_now": len(fresh) // 2, "already_posted": len(set(posted)),
                                      **{f"transfers_{k.lower()}": v for k, v in sorted(counts.items())}}
    return reports


@dataclass(frozen=True)
class Reconciliation:
    passed: bool
    metadata: dict[str, Any]


def reconcile(conn: psycopg.Connection) -> Reconciliation:
    """Every account's opening balance plus its ledger entries must equal its statement balance, to the paisa;
    and every transfer's two entries must sum to zero (a lost leg shows up here even if balances agree)."""
    with conn.transaction():
        rows = conn.execute(
            "select a.account, a.opening_balance_paise, coalesce(sum(l.amount_paise), 0)::bigint, a.balance_paise"
            " from raw.trading_accounts a left join analytics.treasury_ledger l on l.account = a.account"
            " group by a.account, a.opening_balance_paise, a.balance_paise order by a.account").fetchall()
        legs = conn.execute(
            "select transfer_id, count(*), sum(amount_paise)::bigint from analytics.treasury_ledger"
            " group by transfer_id having count(*) <> 2 or sum(amount_paise) <> 0 order by 1").fetchall()
    table = [(a, rupees(o + n), rupees(b), rupees(o + n - b)) for a, o, n, b in rows]
    off = [r for r in table if r[3] != rupees(0)]
    return Reconciliation(
        passed=not off and not legs,
        metadata={"accounts": len(rows), "accounts_off": len(off), "unbalanced_transfers": len(legs),
                  "balances": markdown_table(["account", "ledger", "statement", "difference"], table),
                  **({"unbalanced": markdown_table(["transfer_id", "entries", "sum_paise"], legs)}
                     if legs else {})})
