-- Historical windows replayed on today's weights and scenario shocks
select
    portfolio_id,
    trade_date,
    scenario,
    kind,
    description,
    portfolio_return,
    pnl,
    covered,
    note
from {{ ref('stg_portfolio__stress_tests') }}
