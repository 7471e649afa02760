"""Tables written by the options assets: raw chain snapshots and the analytics computed from them.

Every table is keyed by the snapshot it came from, so intraday snapshots accumulate side by side and a
re-run of a partition rewrites only what changed. ``_partition_key`` is the trading-day partition of the
snapshot (see :mod:`valuation_platform.pipelines.options.markets`).
"""

from __future__ import annotations

from valuation_platform.warehouse.tables import TableSpec

# Every snapshot-level table starts with these; contract-level tables add the contract's identity.
SNAPSHOT_COLUMNS: dict[str, str] = {
    "underlying": "text not null",
    "market": "text not null",  # nse | us
    "snapshot_ts": "timestamptz not null",
    "trade_date": "date not null",  # the snapshot's date in its market's time zone
}
CONTRACT_COLUMNS: dict[str, str] = {
    **SNAPSHOT_COLUMNS,
    "expiry": "date not null",
    "strike": "double precision not null",
    "option_type": "text not null",  # as the source labels it: CE/PE (NSE), C/P (Polygon)
}
CONTRACT_KEY = ("underlying", "snapshot_ts", "expiry", "strike", "option_type")
SNAPSHOT_INDEXES = (("_partition_key",), ("underlying", "snapshot_ts"))

OPTION_CHAIN_SNAPSHOTS = TableSpec(
    schema="raw",
    name="option_chain_snapshots",
    columns={
        **CONTRACT_COLUMNS,
        "contract_symbol": "text",
        "last_price": "double precision",
        "bid": "double precision",
        "ask": "double precision",
        "volume": "bigint",
        "open_interest": "bigint",
        "oi_change": "bigint",
        "underlying_price": "double precision",
        "provider_iv": "double precision",
    },
    key=CONTRACT_KEY,
    indexes=SNAPSHOT_INDEXES,
    comment="Option chain snapshots (NSE option-chain API, Polygon options snapshot), one row per contract",
)

OPTION_CONTRACTS_ENRICHED = TableSpec(
    schema="analytics",
    name="option_contracts_enriched",
    columns={
        **CONTRACT_COLUMNS,
        "underlying_price": "double precision",  # S used
        "time_to_expiry": "double precision not null",  # T used, calendar years to the expiry close
        "risk_free_rate": "double precision not null",  # r used (continuous)
        "dividend_yield": "double precision not null",  # q used (continuous)
        "forward": "double precision",
        "quote_price": "double precision",  # price inverted: bid/ask mid, else last
        "iv": "double precision",
        "iv_status": "text not null",
        "delta": "double precision",
        "gamma": "double precision",
        "theta": "double precision",  # per year
        "theta_per_day": "double precision",  # per calendar day
        "vega": "double precision",  # per vol point
        "rho": "double precision",  # per 1 % in r
    },
    key=CONTRACT_KEY,
    indexes=SNAPSHOT_INDEXES,
    comment="Per-contract implied vol (with a status) and BSM Greeks at that vol, with the exact inputs used",
)

OPTION_ATM_IV_HISTORY = TableSpec(
    schema="analytics",
    name="option_atm_iv_history",
    columns={
        "underlying": "text not null",
        "trade_date": "date not null",
        "snapshot_ts": "timestamptz not null",  # the day's last snapshot
        "atm_iv_30d": "double precision",
        "n_expiries": "integer not null",
    },
    key=("underlying", "trade_date"),
    comment="Our own daily 30-day constant-maturity ATM IV (last snapshot of each trading day)",
)

OPTION_CHAIN_SUMMARY = TableSpec(
    schema="analytics",
    name="option_chain_summary",
    columns={
        **SNAPSHOT_COLUMNS,
        "expiry": "date not null",
        "time_to_expiry": "double precision not null",
        "underlying_price": "double precision",
        "forward": "double precision",
        "n_contracts": "integer not null",
        "n_iv_ok": "integer not null",
        "pcr_oi": "double precision",
        "pcr_volume": "double precision",
        "call_oi": "double precision",
        "put_oi": "double precision",
        "call_volume": "double precision",
        "put_volume": "double precision",
        "max_pain": "double precision",
        "atm_iv": "double precision",
        "iv_put_25d": "double precision",
        "iv_call_25d": "double precision",
        "skew_25d": "double precision",
        "atm_iv_30d": "double precision",
        "iv_rank_52w": "double precision",
        "iv_percentile_52w": "double precision",
        "iv_history_days": "integer not null",
    },
    key=("underlying", "snapshot_ts", "expiry"),
    indexes=SNAPSHOT_INDEXES,
    comment="Per (underlying, snapshot, expiry): put-call ratios, max pain, ATM IV, 25-delta skew, IV rank",
)

OPTION_STRATEGIES = TableSpec(
    schema="analytics",
    name="option_strategies",
    columns={
        "underlying": "text not null",
        "market": "text not null",
        "snapshot_ts": "timestamptz not null",
        "expiry": "date not null",
        "strategy": "text not null",
        "rank": "integer not null",
        "legs": "jsonb not null",
        "net_premium": "double precision",
        "max_profit": "double precision",
        "max_loss": "double precision",
        "breakevens": "jsonb not null",
        "pop": "double precision",
        "margin": "double precision",
        "risk_reward": "double precision",
    },
    key=("underlying", "snapshot_ts", "expiry", "strategy"),
    indexes=SNAPSHOT_INDEXES,
    comment="Standard strategies per expiry with expiry P&L profile, probability of profit, margin, rank",
)

OPTIONS_TABLES = (
    OPTION_CHAIN_SNAPSHOTS,
    OPTION_CONTRACTS_ENRICHED,
    OPTION_ATM_IV_HISTORY,
    OPTION_CHAIN_SUMMARY,
    OPTION_STRATEGIES,
)
