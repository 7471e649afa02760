{{ config(
    materialized='incremental',
    unique_key=['ticker', 'as_of_date'],
    incremental_strategy='delete+insert',
    tags=['daily'],
    pre_hook="{{ delete_window('as_of_date') }}",
) }}
-- Consensus per ticker and as-of date (one row per NYSE session on which the ticker has a current view):
-- the firms covering it, each firm's latest rating dated on or before as_of_date and within
-- {{ var('consensus_lookback_days', 365) }} days of it, one vote per firm. Point in time: a rating dated
-- after as_of_date does not count, so a past row never changes when a later rating arrives.
-- Targets are split-adjusted (adjusted_price_target, else price_target) so they compare with
-- fct_daily_prices; last_close is the latest close on or before as_of_date.
-- Sessions: the run's window (in_window); without a window, up to the latest rating or price date.
{% set lookback = var('consensus_lookback_days', 365) %}

with ratings as (
    select * from {{ ref('fct_analyst_ratings') }}
),

prices as (
    -- a window's sessions read the closes inside it and each ticker's last close before it
    select ticker, trade_date, close from ({{ window_and_last_before(ref('fct_daily_prices'), 'ticker', 'trade_date') }}) as reach
),

sessions as (
    -- up to the last priced session (a mis-dated rating must not stretch the calendar into the future)
    {{ as_of_sessions("coalesce((select max(trade_date) from prices), (select max(rating_date) from ratings))") }}
),

-- a firm's view of a ticker holds from its rating date until the firm's next rating of the ticker, at
-- most {{ lookback }} days
views as (
    select
        ticker,
        firm,
        rating_date,
        rating_numeric,
        target,
        least(
            coalesce(lead(rating_date) over (partition by ticker, firm order by rating_date), '9999-12-31'::date),
            rating_date + {{ lookback }}
        ) as valid_until
    from (
        select distinct on (ticker, firm, rating_date)
            ticker, firm, rating_date, rating_numeric,
            coalesce(adjusted_price_target, price_target) as target
        from ratings
        order by ticker, firm, rating_date, rating_id desc
    ) as one_per_day
),

consensus as (
    select
        views.ticker,
        sessions.as_of_date,
        count(*) as firms,
        count(views.rating_numeric) as rating_count,
        avg(views.rating_numeric)::double precision as mean_rating,
        count(*) filter (where views.rating_numeric >= 4) as buy_count,
        count(*) filter (where views.rating_numeric = 3) as hold_count,
        count(*) filter (where views.rating_numeric <= 2) as sell_count,
        count(views.target) as target_count,
        avg(views.target) as mean_price_target
    from views
    inner join sessions
        on sessions.as_of_date >= views.rating_date and sessions.as_of_date < views.valid_until
    group by views.ticker, sessions.as_of_date
),

-- the latest close on or before each as-of date: the consensus rows and the bars in one stream per ticker,
-- ordered by day with a day's bar before its consensus row, each consensus row taking the close of the last
-- bar before it (a range join of sessions to bars compares every session of a ticker with every bar of it:
-- ~400M comparisons and most of a minute at the seeds' scale)
stream as (
    select ticker, as_of_date as day, 1 as is_consensus, null::double precision as close from consensus
    union all
    select ticker, trade_date, 0, close from prices
),

counted as (
    select *, count(*) filter (where is_consensus = 0) over by_day as bars_so_far
    from stream
    window by_day as (partition by ticker order by day, is_consensus rows unbounded preceding)
),

last_close as (
    -- a group = one bar and the consensus rows up to the next bar; group 0 has no bar before it
    select ticker, day as as_of_date, is_consensus,
           case when bars_so_far > 0 then first_value(close) over by_group end as close,
           case when bars_so_far > 0 then first_value(day) over by_group end as trade_date
    from counted
    window by_group as (partition by ticker, bars_so_far order by day, is_consensus)
)

select
    consensus.ticker,
    consensus.as_of_date,
    consensus.firms,
    consensus.rating_count,
    consensus.mean_rating,
    consensus.buy_count,
    consensus.hold_count,
    consensus.sell_count,
    consensus.target_count,
    consensus.mean_price_target,
    last_close.close as last_close,
    last_close.trade_date as last_close_date,
    {{ safe_divide('consensus.mean_price_target', 'last_close.close') }} - 1 as target_upside
from consensus
inner join last_close
    on last_close.ticker = consensus.ticker and last_close.as_of_date = consensus.as_of_date
    and last_close.is_consensus = 1
