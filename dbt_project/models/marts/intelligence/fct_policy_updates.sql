-- RBI, SEBI and PIB releases with their policy stance and the valuation groups they touch.
with updates as (
    select * from {{ ref('stg_intelligence__policy_updates') }}
),

events as (
    select event_id, published_at, title, url from {{ ref('fct_news_events') }}
)

select
    updates.event_id,
    events.published_at,
    updates.regulator,
    events.title,
    events.url,
    updates.stance,
    updates.impacted_sectors,
    updates.confidence,
    updates.rationale,
    updates.analyzer,
    updates.analyzed_at
from updates
join events on events.event_id = updates.event_id
