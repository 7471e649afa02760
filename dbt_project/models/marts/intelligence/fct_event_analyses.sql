-- The analysis of each event beside the event itself: summary, key points, risks, the driver impacts and
-- suggestions as answered, and who answered (the rules or the LLM model) at what token cost.
with analyses as (
    select * from {{ ref('stg_intelligence__event_analyses') }}
),

events as (
    select event_id, published_at, source, title, companies, groups from {{ ref('fct_news_events') }}
)

select
    analyses.event_id,
    events.published_at,
    events.source,
    events.title,
    events.companies,
    events.groups,
    analyses.analyzer,
    analyses.prompt_version,
    analyses.summary,
    analyses.key_points,
    analyses.risks,
    analyses.driver_impacts,
    analyses.suggested_drivers,
    analyses.n_driver_impacts,
    analyses.n_suggested_drivers,
    analyses.prompt_tokens,
    analyses.completion_tokens,
    analyses.cost_usd,
    analyses.cached,
    analyses.analyzed_at
from analyses
join events on events.event_id = analyses.event_id
