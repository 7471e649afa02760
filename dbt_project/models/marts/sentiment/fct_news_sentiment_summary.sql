{{ config(
    materialized='incremental',
    unique_key=['ticker', 'as_of_date'],
    incremental_strategy='delete+insert',
    tags=['daily'],
    pre_hook="{{ delete_window('as_of_date') }}",
) }}
-- Per ticker and as-of date (one row per NYSE session from the ticker's first article on): news volume
-- and average sentiment over the 7 and 30 calendar days ending on as_of_date. A window of N days counts
-- articles whose New York publication date lies in [as_of_date - (N - 1), as_of_date]: only news
-- published by as_of_date, so a past row never changes when later news arrives.
-- Sessions: the run's window (in_window); without a window, up to the latest news session loaded.
{% set windows = [7, 30] %}

with scored as (
    select * from {{ ref('fct_news_sentiment') }}
),

sessions as (
    {{ as_of_sessions("(select max(trade_date) from scored)") }}
),

tickers as (
    select ticker, min(published_date) as first_published
    from scored
    group by ticker
),

grid as (
    select tickers.ticker, sessions.as_of_date
    from tickers
    inner join sessions on sessions.as_of_date >= tickers.first_published
),

recent as (
    select grid.ticker, grid.as_of_date, scored.article_id, scored.sentiment_score, scored.sentiment_label,
           grid.as_of_date - scored.published_date as days_before
    from grid
    inner join scored
        on scored.ticker = grid.ticker
        and scored.published_date <= grid.as_of_date
        and scored.published_date > grid.as_of_date - {{ windows | max }}
)

select
    grid.ticker,
    grid.as_of_date,
    {%- for days in windows %}
    {%- set in_days = "recent.days_before < " ~ days %}
    count(recent.article_id) filter (where {{ in_days }}) as articles_{{ days }}d,
    avg(recent.sentiment_score) filter (where {{ in_days }}) as avg_sentiment_{{ days }}d,
    count(*) filter (where {{ in_days }} and recent.sentiment_label = 'positive') as positive_{{ days }}d,
    count(*) filter (where {{ in_days }} and recent.sentiment_label = 'negative') as negative_{{ days }}d
    {{- "," if not loop.last }}
    {%- endfor %}
from grid
left join recent using (ticker, as_of_date)
group by grid.ticker, grid.as_of_date
