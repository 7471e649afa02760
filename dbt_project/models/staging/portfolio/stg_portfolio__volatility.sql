select
    portfolio_id,
    trade_date,
    position_id,
    realized_vol_21,
    realized_vol_63,
    har_vol_1d,
    har_vol_5d,
    har_vol_21d,
    _fetched_at as _loaded_at
from {{ source('portfolio_analytics', 'portfolio_volatility') }}
