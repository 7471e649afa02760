-- Per ticker, the consensus of the firms covering it: each firm's latest rating dated within
-- {{ var('consensus_lookback_days', 365) }} days before the as-of date (the latest rating date in the data),
-- one vote per firm. Targets are split-adjusted (adjusted_price_target, else price_target) so they compare
-- with the latest close in fct_daily_prices.
{% set lookback = var('consensus_lookback_days', 365) %}

with ratings as (
    select * from {{ ref('fct_analyst_ratings') }}
),

as_of as (
    select max(rating_date) as as_of_date from ratings
),

current_views as (
    select distinct on (ratings.ticker, ratings.firm)
        ratings.ticker,
        ratings.firm,
        ratings.rating_numeric,
        coalesce(ratings.adjusted_price_target, ratings.price_target) as target
    from ratings
    cross join as_of
    where ratings.rating_date > as_of.as_of_date - {{ lookback }}
    order by ratings.ticker, ratings.firm, ratings.rating_date desc, ratings.rating_id desc
),

last_close as (
    select distinct on (ticker) ticker, trade_date as last_close_date, close as last_close
    from {{ ref('fct_daily_prices') }}
    order by ticker, trade_date desc
),

consensus as (
    select
        ticker,
        count(*) as firms,
        count(rating_numeric) as rating_count,
        avg(rating_numeric)::double precision as mean_rating,
        count(*) filter (where rating_numeric >= 4) as buy_count,
        count(*) filter (where rating_numeric = 3) as hold_count,
        count(*) filter (where rating_numeric <= 2) as sell_count,
        count(target) as target_count,
        avg(target) as mean_price_target
    from current_views
    group by ticker
)

select
    consensus.ticker,
    as_of.as_of_date,
    consensus.firms,
    consensus.rating_count,
    consensus.mean_rating,
    consensus.buy_count,
    consensus.hold_count,
    consensus.sell_count,
    consensus.target_count,
    consensus.mean_price_target,
    last_close.last_close,
    last_close.last_close_date,
    {{ safe_divide('consensus.mean_price_target', 'last_close.last_close') }} - 1 as target_upside
from consensus
cross join as_of
left join last_close using (ticker)
