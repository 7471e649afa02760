-- Per account: opening balance + ledger entries against the statement balance, to the paisa.
with ledger as (
    select account, sum(amount_paise) as net_paise, count(*) as entries
    from {{ ref('stg_trading_desk__treasury_ledger') }}
    group by account
)
select
    a.account,
    a.as_of,
    a.opening_balance_paise,
    coalesce(l.net_paise, 0)::bigint as ledger_net_paise,
    (a.opening_balance_paise + coalesce(l.net_paise, 0))::bigint as ledger_balance_paise,
    a.balance_paise as statement_balance_paise,
    (a.opening_balance_paise + coalesce(l.net_paise, 0) - a.balance_paise)::bigint as difference_paise,
    coalesce(l.entries, 0)::integer as entries,
    a.opening_balance_paise + coalesce(l.net_paise, 0) = a.balance_paise as reconciled
from (select * from {{ ref('stg_trading_desk__accounts') }}) as a
left join ledger l on l.account = a.account
