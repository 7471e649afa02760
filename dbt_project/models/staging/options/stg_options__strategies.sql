-- depends_on: {{ source('options_analytics', 'option_chain_summary') }}
-- (Sequencing only: the options marts are rebuilt once a run's whole analytics set is written, so the
-- chain, summary and strategy marts describe the same snapshots, and the graph runs them as one dbt step.)
with strategies as (
    select * from {{ source('options_analytics', 'option_strategies') }}
)

select
    underlying,
    market,
    snapshot_ts,
    expiry,
    strategy,
    rank as strategy_rank,
    legs,
    net_premium,
    max_profit,
    max_loss,
    breakevens,
    pop,
    margin,
    risk_reward,
    _fetched_at
from strategies
