select
    portfolio_id,
    trade_date,
    hhi,
    effective_positions,
    top5_weight,
    largest_weight,
    avg_correlation,
    diversification_score,
    _fetched_at as _loaded_at
from {{ source('portfolio_analytics', 'portfolio_concentration') }}
