{{ config(**score_date_incremental("scores_selected_tickers_in('ticker')")) }}
-- Analyst consensus as public on each score day: each firm's latest rating dated within the
-- {{ var('scores_analyst_days', 90) }} days up to the day (by rating date), averaged over firms: the mean
-- rating on the 1 (Strong Sell) .. 5 (Strong Buy) scale and the mean split-adjusted price target.
-- Incremental on the US sessions (tag daily): a run writes its window's score days from the ratings they can
-- reach; the first build covers every score day.
-- depends_on: {{ ref('dim_company') }}
{% set days = var('scores_analyst_days', 90) %}
with panel as (
    select ticker, score_date from {{ ref('int_scores__panel') }}
    where close is not null and {{ in_window('score_date') }} and {{ scores_selected_tickers_in('ticker') }}
),

latest_per_firm as (
    select distinct on (panel.ticker, panel.score_date, ratings.firm)
        panel.ticker, panel.score_date, ratings.firm, ratings.rating_numeric, ratings.adjusted_price_target
    from panel
    inner join (select * from {{ ref('fct_analyst_ratings') }}
                where {{ in_window_reach('rating_date', days - 1) }}) as ratings
        on ratings.ticker = panel.ticker
        and ratings.rating_date <= panel.score_date
        and ratings.rating_date > panel.score_date - {{ days }}
    order by panel.ticker, panel.score_date, ratings.firm, ratings.rating_date desc, ratings.rating_id desc
)

select
    ticker,
    score_date,
    count(*) as analyst_firms,
    avg(rating_numeric)::double precision as mean_rating,
    avg(adjusted_price_target)::double precision as mean_price_target
from latest_per_firm
group by ticker, score_date
