select
    portfolio_id,
    trade_date,
    kind,
    subject,
    severity,
    value,
    previous,
    change,
    message,
    _fetched_at as _loaded_at
from {{ source('portfolio_analytics', 'portfolio_activity') }}
