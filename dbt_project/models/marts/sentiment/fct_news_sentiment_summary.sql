-- Per ticker, news volume and average sentiment over the 7 and 30 calendar days ending on the as-of
-- date: the latest session any news was loaded for (the latest news partition). A window of N days
-- counts articles whose New York publication date lies in [as_of_date - (N - 1), as_of_date].
{% set windows = [7, 30] %}

with scored as (
    select * from {{ ref('fct_news_sentiment') }}
),

as_of as (
    select max(trade_date) as as_of_date from scored
),

tickers as (
    select distinct ticker from scored
)

select
    tickers.ticker,
    as_of.as_of_date,
    {%- for days in windows %}
    {%- set in_window = "scored.published_date between as_of.as_of_date - " ~ (days - 1) ~ " and as_of.as_of_date" %}
    count(scored.article_id) filter (where {{ in_window }}) as articles_{{ days }}d,
    avg(scored.sentiment_score) filter (where {{ in_window }}) as avg_sentiment_{{ days }}d,
    count(*) filter (where {{ in_window }} and scored.sentiment_label = 'positive') as positive_{{ days }}d,
    count(*) filter (where {{ in_window }} and scored.sentiment_label = 'negative') as negative_{{ days }}d
    {{- "," if not loop.last }}
    {%- endfor %}
from tickers
cross join as_of
left join scored on scored.ticker = tickers.ticker
group by tickers.ticker, as_of.as_of_date
