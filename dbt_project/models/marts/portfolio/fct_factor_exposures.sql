-- Ridge factor exposures (market, size, value, momentum, quality, low vol)
select
    portfolio_id,
    trade_date,
    position_id,
    factor,
    exposure,
    r2,
    ridge_alpha,
    n_obs
from {{ ref('stg_portfolio__factor_exposures') }}
