select
    portfolio_id,
    ticker,
    target_price,
    stop_price,
    set_on,
    document,
    _fetched_at as _loaded_at
from {{ source('portfolio', 'portfolio_target_prices') }}
