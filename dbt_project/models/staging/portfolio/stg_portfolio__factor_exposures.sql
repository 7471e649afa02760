select
    portfolio_id,
    trade_date,
    position_id,
    factor,
    exposure,
    r2,
    ridge_alpha,
    n_obs,
    _fetched_at as _loaded_at
from {{ source('portfolio_analytics', 'portfolio_factor_exposures') }}
