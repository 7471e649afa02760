-- One row per analyst rating (Benzinga), newest information per rating id.
with ratings as (
    select * from {{ ref('stg_benzinga__ratings') }}
)

select
    rating_id,
    ticker,
    rating_date,
    firm,
    analyst,
    action,
    rating,
    rating_numeric,
    prior_rating,
    price_target,
    prior_price_target,
    adjusted_price_target,
    price_target_action
from ratings
