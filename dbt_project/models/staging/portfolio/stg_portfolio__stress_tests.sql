select
    portfolio_id,
    trade_date,
    scenario,
    kind,
    description,
    portfolio_return,
    pnl,
    covered,
    note,
    _fetched_at as _loaded_at
from {{ source('portfolio_analytics', 'portfolio_stress_tests') }}
