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

-- the articles of each window, as per-day sums over RANGE frames of a stream interleaving the grid's rows with
-- the days' sums (as int_scores__flow_windows): a join of each session to its ticker's articles compares
-- every session with every article of the ticker, ~300M comparisons at the seeds' scale
news_days as (
    select ticker, published_date as day,
           count(article_id) as articles,
           sum(sentiment_score) as score_sum,
           count(sentiment_score) as scored,
           count(*) filter (where sentiment_label = 'positive') as positive,
           count(*) filter (where sentiment_label = 'negative') as negative
    from scored
    where {{ in_window_reach('published_date', (windows | max) - 1) }}
    group by ticker, published_date
),

stream as (
    select ticker, as_of_date as day, true as is_grid, 0::bigint as articles, null::double precision as score_sum,
           0::bigint as scored, 0::bigint as positive, 0::bigint as negative
    from grid
    union all
    select ticker, day, false, articles, score_sum, scored, positive, negative from news_days
),

windowed as (
    select
        ticker, day, is_grid,
        {%- for days in windows %}
        {%- set frame = "by_day range between interval '" ~ (days - 1) ~ " days' preceding and current row" %}
        sum(articles) over ({{ frame }}) as articles_{{ days }}d,
        sum(score_sum) over ({{ frame }}) as score_sum_{{ days }}d,
        sum(scored) over ({{ frame }}) as scored_{{ days }}d,
        sum(positive) over ({{ frame }}) as positive_{{ days }}d,
        sum(negative) over ({{ frame }}) as negative_{{ days }}d
        {{- "," if not loop.last }}
        {%- endfor %}
    from stream
    window by_day as (partition by ticker order by day)
)

select
    ticker,
    day as as_of_date,
    {%- for days in windows %}
    articles_{{ days }}d::bigint as articles_{{ days }}d,
    score_sum_{{ days }}d / nullif(scored_{{ days }}d, 0) as avg_sentiment_{{ days }}d,
    positive_{{ days }}d::bigint as positive_{{ days }}d,
    negative_{{ days }}d::bigint as negative_{{ days }}d
    {{- "," if not loop.last }}
    {%- endfor %}
from windowed
where is_grid
