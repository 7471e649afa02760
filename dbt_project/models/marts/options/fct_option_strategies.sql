with strategies as (
    select * from {{ ref('stg_options__strategies') }}
),

days as (
    select distinct underlying, snapshot_ts, trade_date from {{ ref('stg_options__chain_summary') }}
)

select
    s.underlying,
    s.market,
    s.snapshot_ts,
    s.expiry,
    s.expiry - d.trade_date as days_to_expiry,
    s.strategy,
    s.strategy_rank,
    s.legs,
    s.net_premium,
    s.max_profit,
    s.max_loss,
    s.breakevens,
    s.pop,
    s.margin,
    s.risk_reward
from strategies as s
left join days as d using (underlying, snapshot_ts)
