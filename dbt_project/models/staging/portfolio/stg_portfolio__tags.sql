select
    portfolio_id,
    ticker,
    tag,
    document,
    _fetched_at as _loaded_at
from {{ source('portfolio', 'portfolio_tags') }}
