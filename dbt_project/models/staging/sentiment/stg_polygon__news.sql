with news as (
    select * from {{ source('sentiment', 'polygon_news') }}
)

select
    article_id,
    ticker,
    trade_date,
    published_at,
    (published_at at time zone 'America/New_York')::date as published_date,
    source,
    title,
    description,
    url,
    provider_sentiment,
    provider_sentiment_reasoning,
    _fetched_at
from news
