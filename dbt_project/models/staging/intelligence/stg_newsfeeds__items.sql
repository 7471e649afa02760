-- raw.news_items as loaded; event_id names the story (its content hash), so one story under two URLs
-- shares it and fct_news_events keeps one row for it.
select
    left(content_hash, 20) as event_id,
    url,
    content_hash,
    feed,
    publisher as source,
    feed_url,
    guid,
    title,
    summary,
    published_at,
    publisher in ('RBI', 'SEBI', 'PIB') as is_policy_release,
    _fetched_at as first_seen_at
from {{ source('newsfeeds', 'news_items') }}
