select
    portfolio_id,
    trade_date,
    rule,
    subject,
    severity,
    metric,
    value,
    threshold,
    message,
    _fetched_at as _loaded_at
from {{ source('portfolio_analytics', 'portfolio_insights') }}
