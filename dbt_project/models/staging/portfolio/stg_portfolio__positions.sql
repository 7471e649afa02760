select
    portfolio_id,
    position_id,
    portfolio_name,
    ticker,
    position_type,
    quantity,
    entry_price,
    entry_date,
    strike,
    expiry,
    option_type,
    multiplier,
    document,
    _fetched_at as _loaded_at
from {{ source('portfolio', 'portfolio_positions') }}
