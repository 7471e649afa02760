-- Ledger entries with each account's running balance (opening balance + entries up to and including this one).
with entries as (
    select * from {{ ref('stg_trading_desk__treasury_ledger') }}
),
accounts as (
    select account, opening_balance_paise from {{ ref('stg_trading_desk__accounts') }}
)
select
    e.transfer_id,
    e.entry,
    e.account,
    e.counterparty,
    e.amount_paise,
    e.amount_paise / 100.0 as amount_rupees,
    (a.opening_balance_paise + sum(e.amount_paise) over (
        partition by e.account order by e.posted_at, e.transfer_id, e.entry
        rows between unbounded preceding and current row))::bigint as balance_after_paise,
    e.posted_at,
    e.approved_by
from entries e
join accounts a on a.account = e.account
