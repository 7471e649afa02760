select
    portfolio_id,
    trade_date,
    health_score,
    grade,
    beta_score,
    volatility_score,
    concentration_score,
    diversification_score,
    interpretation,
    _fetched_at as _loaded_at
from {{ source('portfolio_analytics', 'portfolio_health') }}
