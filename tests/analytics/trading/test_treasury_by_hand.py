"""Treasury rules on a hand-worked book (all amounts in paise): double entries, the blocking buffer and
loan limits, approval, idempotent posting, claw-back proposals from surplus and from outstanding loans."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from valuation_platform.analytics.trading.treasury import (
    AWAITING, BLOCKED, POSTED, Account, Transfer, clawbacks, post_transfers, rupees,
)

IST = timezone(timedelta(hours=5, minutes=30))
T0 = datetime(2026, 11, 16, 10, tzinfo=IST)
ACCOUNTS = {  # opening, minimum buffer, maximum loan (paise)
    "A": Account("A", 10_000_00, 2_000_00, 0),
    "B": Account("B", 1_000_00, 500_00, 3_000_00),
    "C": Account("C", 100_00, 400_00, 1_000_00),
}


def _t(tid, src, dst, paise, hour, approved=True):
    at = T0 + timedelta(hours=hour)
    return Transfer(tid, src, dst, paise, at, "cfo" if approved else None, at + timedelta(minutes=5) if approved else None)


TRANSFERS = [
    _t("T1", "A", "B", 2_500_00, 0),  # A 10,000 -> 7,500 (>= 2,000); B borrows 2,500 (<= 3,000): posted
    _t("T2", "A", "B", 600_00, 1),  # B would borrow 3,100 > 3,000: max_loan
    _t("T3", "B", "A", 3_200_00, 2),  # B 3,500 -> 300 < 500: min_buffer
    _t("T4", "A", "C", 50_00, 3, approved=False),  # not approved
    _t("T5", "A", "Z", 10_00, 4),  # Z is not a desk account
]


def test_rules_and_double_entries_by_hand() -> None:
    entries, decisions, book = post_transfers(ACCOUNTS, reversed(TRANSFERS))  # taken in request order
    outcome = {d.transfer_id: (d.status, d.rule) for d in decisions}
    assert outcome == {"T1": (POSTED, None), "T2": (BLOCKED, "max_loan"), "T3": (BLOCKED, "min_buffer"),
                       "T4": (AWAITING, None), "T5": (BLOCKED, "unknown_account")}
    t2 = next(d for d in decisions if d.transfer_id == "T2")
    assert t2.to_borrowed_after_paise == 3_100_00 and "Rs 3,100.00" in t2.explanation
    assert [(e.entry, e.account, e.amount_paise) for e in entries] == [("MOVE_OUT", "A", -2_500_00),
                                                                       ("MOVE_IN", "B", 2_500_00)]
    assert sum(e.amount_paise for e in entries) == 0
    assert book.balance == {"A": 7_500_00, "B": 3_500_00, "C": 100_00}
    # posting is idempotent by id: T1 already in the ledger is applied, not re-checked, and gives the same book
    again, decided, rebook = post_transfers(ACCOUNTS, TRANSFERS, posted=["T1"])
    assert again == entries and rebook.balance == book.balance


def test_clawbacks_from_surplus_and_from_outstanding_loans() -> None:
    _, _, book = post_transfers(ACCOUNTS, TRANSFERS)
    # C holds 100 against a 400 buffer: short 300; nobody owes C, so the largest surplus pays: A 7,500 - 2,000
    (c,) = clawbacks(ACCOUNTS, book)
    assert (c.account, c.from_account, c.amount_paise, c.basis, c.shortfall_paise) == ("C", "A", 300_00, "surplus", 300_00)
    # A's buffer raised to 8,000 after T1 posted: A is 500 short and B owes it 2,500 -> claw back 500 from B;
    # C's 300 then comes from the largest surplus left: B (3,500 - 500 - 500 = 2,500)
    raised = {**ACCOUNTS, "A": replace(ACCOUNTS["A"], min_buffer_paise=8_000_00)}
    _, decisions, book = post_transfers(raised, TRANSFERS, posted=["T1"])
    assert next(d for d in decisions if d.transfer_id == "T1").status == POSTED
    got = {(p.account, p.from_account): (p.amount_paise, p.basis) for p in clawbacks(raised, book)}
    assert got == {("A", "B"): (500_00, "outstanding_loan"), ("C", "B"): (300_00, "surplus")}


def test_rupees_in_indian_grouping() -> None:
    assert rupees(123_456_789) == "Rs 12,34,567.89"
    assert rupees(-50) == "-Rs 0.50" and rupees(100_000_00) == "Rs 1,00,000.00"
