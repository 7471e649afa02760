{{
    config(
        materialized='incremental',
        unique_key=['article_id', 'ticker'],
        incremental_strategy='delete+insert',
        tags=['daily'],
        pre_hook="{{ delete_window('trade_date') }}",
    )
}}

-- One row per (article, ticker) with its sentiment; the provider's per-ticker label wins over text models.
-- Incremental on the session window (tag:daily, on the article's trade_date): a run rewrites only its
-- sessions' rows.
with news as (
    select * from {{ ref('stg_polygon__news') }}
),

scores as (
    select * from {{ ref('stg_sentiment__news_scores') }}
)

select
    news.article_id,
    news.ticker,
    news.published_at,
    news.published_date,
    news.trade_date,
    news.source,
    news.title,
    news.url,
    scores.sentiment_score,
    scores.sentiment_label,
    scores.scorer
from news
inner join scores using (article_id, ticker)
where {{ in_window('news.trade_date') }}
