"""The treasury ledger's rules: post approved transfers as double entries, block what breaks a limit,
and propose claw-backs for accounts below their buffer. Amounts are integer paise throughout.

* A transfer is posted once (idempotent by id): a transfer already in the ledger is applied as posted and
  never re-checked (a later limit change does not un-post history).
* Requests are taken in ``requested_at`` order (then id). Not approved -> AWAITING_APPROVAL (no entry).
* ``min_buffer``: the paying account's balance after the move must stay >= its minimum buffer.
* ``max_loan``: the receiving account's net borrowing (everything it received from the other accounts
  minus everything it sent them, this move included) must stay <= its maximum loan.
* A posted transfer writes MOVE_OUT (-amount) on the payer and MOVE_IN (+amount) on the receiver.
* Claw-back: an account whose balance is below its buffer gets proposals for the shortfall, first from the
  accounts that owe it (its outstanding net transfers to them, largest first), then from the accounts with
  the most surplus above their own buffer; no proposal takes an account below its own buffer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

MOVE_OUT, MOVE_IN = "MOVE_OUT", "MOVE_IN"
POSTED, BLOCKED, AWAITING = "POSTED", "BLOCKED", "AWAITING_APPROVAL"


@dataclass(frozen=True)
class Account:
    account: str
    opening_paise: int
    min_buffer_paise: int
    max_loan_paise: int


@dataclass(frozen=True)
class Transfer:
    transfer_id: str
    from_account: str
    to_account: str
    amount_paise: int
    requested_at: datetime
    approved_by: str | None
    approved_at: datetime | None


@dataclass(frozen=True)
class Decision:
    transfer_id: str
    status: str
    rule: str | None
    explanation: str
    from_balance_after_paise: int | None = None
    to_borrowed_after_paise: int | None = None


@dataclass(frozen=True)
class Entry:
    transfer_id: str
    entry: str
    account: str
    counterparty: str
    amount_paise: int  # signed
    posted_at: datetime
    approved_by: str


@dataclass
class Book:
    """Balances and the net amount each account has sent each other one (``owed[(lender, borrower)]``)."""

    balance: dict[str, int]
    owed: dict[tuple[str, str], int] = field(default_factory=dict)

    def borrowed(self, account: str) -> int:
        """Net amount ``account`` has received from the other accounts (negative: it lent more)."""
        return sum(v for (_, b), v in self.owed.items() if b == account) - \
            sum(v for (a, _), v in self.owed.items() if a == account)

    def apply(self, t: Transfer) -> None:
        self.balance[t.from_account] -= t.amount_paise
        self.balance[t.to_account] += t.amount_paise
        self.owed[(t.from_account, t.to_account)] = self.owed.get((t.from_account, t.to_account), 0) + t.amount_paise


def indian_grouping(paise: int) -> str:
    """Unsigned rupees with Indian digit grouping, as Indian statements print them: 123456789 -> '12,34,567.89'."""
    whole, frac = divmod(abs(paise), 100)
    digits = str(whole)
    head, groups = digits[:-3], [digits[-3:]]
    while head:
        groups.insert(0, head[-2:])
        head = head[:-2]
    return ",".join(groups) + f".{frac:02d}"


def rupees(paise: int) -> str:
    """Rupee text for explanations: 1234567 paise -> 'Rs 12,345.67'."""
    return f"{'-' if paise < 0 else ''}Rs {indian_grouping(paise)}"


def post_transfers(accounts: Mapping[str, Account], transfers: Iterable[Transfer],
                   posted: Iterable[str] = ()) -> tuple[list[Entry], list[Decision], Book]:
    """Entries to write, a decision per request, and the resulting balances (see module doc)."""
    already = set(posted)
    book = Book({a.account: a.opening_paise for a in accounts.values()})
    entries: list[Entry] = []
    decisions: list[Decision] = []
    for t in sorted(transfers, key=lambda t: (t.requested_at, t.transfer_id)):
        unknown = [a for a in (t.from_account, t.to_account) if a not in accounts]
        if unknown:
            decisions.append(Decision(t.transfer_id, BLOCKED, "unknown_account",
                                      f"account {', '.join(unknown)} is not a desk account"))
            continue
        if t.transfer_id not in already:
            if not t.approved_by or t.approved_at is None:
                decisions.append(Decision(t.transfer_id, AWAITING, None,
                                          f"{rupees(t.amount_paise)} {t.from_account} -> {t.to_account} awaits approval"))
                continue
            payer, receiver = accounts[t.from_account], accounts[t.to_account]
            after = book.balance[t.from_account] - t.amount_paise
            borrowed = book.borrowed(t.to_account) + t.amount_paise
            if after < payer.min_buffer_paise:
                decisions.append(Decision(
                    t.transfer_id, BLOCKED, "min_buffer",
                    f"{t.from_account} would hold {rupees(after)}, below its minimum buffer "
                    f"{rupees(payer.min_buffer_paise)}", after, borrowed))
                continue
            if borrowed > receiver.max_loan_paise:
                decisions.append(Decision(
                    t.transfer_id, BLOCKED, "max_loan",
                    f"{t.to_account} would owe the other accounts {rupees(borrowed)} net, above its maximum loan "
                    f"{rupees(receiver.max_loan_paise)}", after, borrowed))
                continue
        else:
            after = book.balance[t.from_account] - t.amount_paise
            borrowed = book.borrowed(t.to_account) + t.amount_paise
        book.apply(t)
        posted_at = t.approved_at or t.requested_at
        approver = t.approved_by or ""
        entries += [Entry(t.transfer_id, MOVE_OUT, t.from_account, t.to_account, -t.amount_paise, posted_at, approver),
                    Entry(t.transfer_id, MOVE_IN, t.to_account, t.from_account, t.amount_paise, posted_at, approver)]
        decisions.append(Decision(t.transfer_id, POSTED, None,
                                  f"{rupees(t.amount_paise)} {t.from_account} -> {t.to_account} posted",
                                  after, borrowed))
    return entries, decisions, book


@dataclass(frozen=True)
class Clawback:
    account: str
    from_account: str
    amount_paise: int
    basis: str  # outstanding_loan | surplus
    shortfall_paise: int
    explanation: str


def clawbacks(accounts: Mapping[str, Account], book: Book) -> list[Clawback]:
    """Proposals covering each account's shortfall below its buffer (module doc)."""
    out: list[Clawback] = []
    available = {a: book.balance[a] - accounts[a].min_buffer_paise for a in accounts}
    for name in sorted(accounts):
        shortfall = accounts[name].min_buffer_paise - book.balance[name]
        if shortfall <= 0:
            continue
        need = shortfall
        # net amounts each borrower still owes this account
        owed = {b: v - book.owed.get((b, name), 0) for (a, b), v in book.owed.items() if a == name}
        debtors = sorted(((v, b) for b, v in owed.items() if v > 0), key=lambda x: (-x[0], x[1]))
        surplus = sorted(((available[a], a) for a in accounts if a != name), key=lambda x: (-x[0], x[1]))
        used: set[str] = set()
        for basis, candidates in (("outstanding_loan", debtors), ("surplus", surplus)):
            for cap, other in candidates:
                if other in used:  # one proposal per pair: a debtor already gave what it could
                    continue
                take = min(need, cap, available[other])
                if take <= 0:
                    continue
                available[other] -= take
                need -= take
                used.add(other)
                why = (f"{name} is {rupees(shortfall)} below its buffer {rupees(accounts[name].min_buffer_paise)}; "
                       + (f"{other} owes it {rupees(cap)}" if basis == "outstanding_loan"
                          else f"{other} holds {rupees(cap)} above its own buffer"))
                out.append(Clawback(name, other, take, basis, shortfall, why))
                if need == 0:
                    break
            if need == 0:
                break
    return out


def ledger_balances(accounts: Mapping[str, Account], entries: Sequence[tuple[str, int]]) -> dict[str, int]:
    """Opening balance plus every ``(account, signed amount)`` ledger entry."""
    out = {a.account: a.opening_paise for a in accounts.values()}
    for account, amount in entries:
        out[account] = out.get(account, 0) + amount
    return out
