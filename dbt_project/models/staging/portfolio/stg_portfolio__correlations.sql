select
    portfolio_id,
    trade_date,
    position_a,
    position_b,
    correlation,
    _fetched_at as _loaded_at
from {{ source('portfolio_analytics', 'portfolio_correlations') }}
