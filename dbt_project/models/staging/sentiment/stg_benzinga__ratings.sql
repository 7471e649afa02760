with ratings as (
    select * from {{ source('sentiment', 'benzinga_ratings') }}
)

select
    rating_id,
    ticker,
    rating_date,
    trade_date,
    firm,
    analyst,
    action,
    rating,
    rating_numeric,
    prior_rating,
    price_target,
    prior_price_target,
    adjusted_price_target,
    price_target_action,
    _fetched_at
from ratings
