with scores as (
    select * from {{ source('sentiment_analytics', 'news_sentiment') }}
)

select
    article_id,
    ticker,
    trade_date,
    sentiment_score,
    sentiment_label,
    scorer,
    _fetched_at
from scores
