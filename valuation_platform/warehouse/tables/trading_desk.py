"""Tables of the trading desk (the trading domain's cards, guardrails, treasury and learning loop).

Money is exact: rupee amounts of the treasury are integer paise (``bigint``), never floats, so a ledger
reconciles to the paisa. Trade prices and P&L of the learning loop are ``numeric``.
"""

from __future__ import annotations

from valuation_platform.warehouse.tables import TableSpec

PAISE = "bigint not null"
TS = "timestamptz not null"

# -- landed inputs (raw) -------------------------------------------------------------------------

TRADE_CARDS = TableSpec(
    schema="raw",
    name="trade_cards",
    columns={
        "card_id": "text not null",
        "version": "integer not null",
        "account": "text not null",
        "symbol": "text not null",
        "side": "text not null",  # BUY | SELL
        "quantity": "integer not null",  # shares, or lots of an option strategy
        "limit_price": "numeric not null",  # Rs per share (an option strategy: the underlying's reference price)
        "playbook": "text not null",
        "sector": "text",  # as the analyst wrote it; the guardrails prefer dim_nse_symbol's
        "thesis": "text not null",
        "signal_at": TS,
        "catalyst_at": TS,
        "catalyst": "text",
        "submitted_at": TS,
        "tranche": "integer not null",
        "planned_quantity": "integer not null",
        "instrument": "text not null",  # EQUITY | OPTION_STRATEGY
        "strategy": "text",  # option strategy name (bull_put_spread, ...)
        "lot_size": "integer",
        "expiry": "date",
        "legs": "jsonb",  # [{option_type, strike, side, ratio, premium, iv}]
        "card_hash": "text not null",  # sha256 of the card's content: one version, one content
        "document": "text not null",
    },
    key=("card_id", "version"),
    comment="Trade cards dropped in <trading landing>/cards (one JSON document per card version)",
)

TRADING_ACCOUNTS = TableSpec(
    schema="raw",
    name="trading_accounts",
    columns={
        "account": "text not null",
        "account_name": "text not null",
        "as_of": "date not null",  # statement date
        "opening_balance_paise": PAISE,  # cash when the treasury ledger starts
        "balance_paise": PAISE,  # the bank/broker statement's cash balance on as_of
        "min_buffer_paise": PAISE,  # cash the account must keep
        "max_loan_paise": PAISE,  # most it may borrow, net, from the other accounts
        "document": "text not null",
    },
    key=("account",),
    comment="Desk accounts: statement cash balance and the treasury limits (<trading landing>/accounts)",
)

TRADING_POSITIONS = TableSpec(
    schema="raw",
    name="trading_positions",
    columns={
        "account": "text not null",
        "symbol": "text not null",
        "quantity": "integer not null",  # signed shares
        "price": "numeric not null",  # Rs, the statement's mark
        "document": "text not null",
    },
    key=("account", "symbol"),
    comment="Holdings per desk account (<trading landing>/positions); an account's file is its whole book",
)

TREASURY_TRANSFERS = TableSpec(
    schema="raw",
    name="treasury_transfers",
    columns={
        "transfer_id": "text not null",
        "from_account": "text not null",
        "to_account": "text not null",
        "amount_paise": PAISE,
        "requested_at": TS,
        "requested_by": "text not null",
        "approved_by": "text",  # empty until a human approves
        "approved_at": "timestamptz",
        "reason": "text",
        "document": "text not null",
    },
    key=("transfer_id",),
    comment="Inter-account transfer requests with their human approval (<trading landing>/transfers)",
)

TRADE_FILLS = TableSpec(
    schema="raw",
    name="trade_fills",
    columns={
        "fill_id": "text not null",
        "trade_id": "text not null",  # the round trip the fill belongs to
        "account": "text not null",
        "symbol": "text not null",
        "side": "text not null",  # BUY | SELL
        "quantity": "integer not null",
        "price": "numeric not null",
        "fees": "numeric not null",
        "filled_at": TS,
        "playbook": "text not null",
        "strategy": "text not null",
        "meta_score": "double precision",  # the meta-label model's score when the trade was taken
        "document": "text not null",
    },
    key=("fill_id",),
    comment="Broker fills of the desk's trades (<trading landing>/fills)",
)

# -- computed (analytics) ------------------------------------------------------------------------

GUARDRAIL_RESULTS = TableSpec(
    schema="analytics",
    name="guardrail_results",
    columns={
        "card_id": "text not null",
        "version": "integer not null",
        "rule": "text not null",  # liquidity, position_size, sector_exposure, event_window, market_regime,
        #                           catalyst_freshness, playbook
        "severity": "text not null",  # INFO | WARN | BLOCK
        "observed": "double precision",  # the number the rule compared
        "threshold": "double precision",  # the limit it was compared with
        "inputs": "jsonb not null",  # every input the rule used
        "explanation": "text not null",  # one line
        "card_hash": "text not null",
        "evaluated_at": TS,
    },
    key=("card_id", "version", "rule"),
    comment="Each trade card version's guardrail and playbook verdicts, evaluated once per version",
)

TREASURY_LEDGER = TableSpec(
    schema="analytics",
    name="treasury_ledger",
    columns={
        "transfer_id": "text not null",
        "entry": "text not null",  # MOVE_OUT | MOVE_IN
        "account": "text not null",
        "counterparty": "text not null",
        "amount_paise": PAISE,  # signed: negative out, positive in; a transfer's two entries sum to 0
        "posted_at": TS,
        "approved_by": "text not null",
    },
    key=("transfer_id", "entry"),
    comment="Double-entry treasury ledger: each posted transfer's MOVE_OUT and MOVE_IN (idempotent by id)",
)

TREASURY_DECISIONS = TableSpec(
    schema="analytics",
    name="treasury_decisions",
    columns={
        "transfer_id": "text not null",
        "status": "text not null",  # POSTED | BLOCKED | AWAITING_APPROVAL
        "rule": "text",  # min_buffer | max_loan | unknown_account (the blocking rule)
        "explanation": "text not null",
        "from_balance_after_paise": "bigint",
        "to_borrowed_after_paise": "bigint",
        "decided_at": TS,
    },
    key=("transfer_id",),
    comment="What became of each transfer request: posted, blocked by a rule, or awaiting approval",
)

TREASURY_CLAWBACKS = TableSpec(
    schema="analytics",
    name="treasury_clawbacks",
    columns={
        "account": "text not null",  # the account below its buffer
        "from_account": "text not null",  # where the proposal takes the money from
        "amount_paise": PAISE,
        "basis": "text not null",  # outstanding_loan | surplus
        "shortfall_paise": PAISE,
        "explanation": "text not null",
        "status": "text not null",  # PROPOSED: a human turns it into an approved transfer
        "proposed_at": TS,
    },
    key=("account", "from_account"),
    comment="Claw-back proposals for accounts below their minimum buffer (await human approval)",
)

TRADE_OUTCOMES = TableSpec(
    schema="analytics",
    name="trade_outcomes",
    columns={
        "trade_id": "text not null",
        "account": "text not null",
        "symbol": "text not null",
        "playbook": "text not null",
        "strategy": "text not null",
        "direction": "text not null",  # LONG | SHORT
        "quantity": "integer not null",
        "entry_price": "double precision not null",  # quantity-weighted average
        "exit_price": "double precision not null",
        "opened_at": TS,
        "closed_at": TS,
        "exit_month": "date not null",
        "holding_hours": "double precision not null",
        "fees": "double precision not null",
        "pnl": "double precision not null",  # Rs, after fees
        "return_pct": "double precision not null",  # pnl / entry notional
        "is_win": "boolean not null",
        "meta_score": "double precision",
    },
    key=("trade_id",),
    comment="Closed round trips from the fills ledger: entry, exit, P&L and holding time",
)

PLAYBOOK_PERFORMANCE = TableSpec(
    schema="analytics",
    name="playbook_performance",
    columns={
        "playbook": "text not null",
        "strategy": "text not null",
        "exit_month": "date not null",
        "trades": "integer not null",
        "win_rate": "double precision not null",
        "avg_win": "double precision",
        "avg_loss": "double precision",
        "expectancy": "double precision not null",
        "sharpe": "double precision",
        "max_drawdown": "double precision not null",
        "avg_holding_hours": "double precision not null",
        "total_pnl": "double precision not null",
    },
    key=("playbook", "strategy", "exit_month"),
    comment="Per playbook, strategy and month: win rate, average win/loss, expectancy, Sharpe, drawdown",
)

META_LABEL_PROPOSALS = TableSpec(
    schema="analytics",
    name="meta_label_proposals",
    columns={
        "playbook": "text not null",
        "as_of": TS,  # the last closed trade the drift was measured on
        "metric": "text not null",  # win_rate | expectancy
        "baseline": "double precision not null",
        "rolling": "double precision not null",
        "decline": "double precision not null",  # baseline - rolling
        "allowed_drop": "double precision not null",
        "current_threshold": "double precision not null",
        "proposed_threshold": "double precision",
        "explanation": "text not null",
        "status": "text not null",  # AWAITING_APPROVAL: never applied without a human
    },
    key=("playbook", "as_of", "metric"),
    comment="Quality-drift alerts with a proposed meta-label threshold awaiting human approval",
)
