-- The approval queue for BI: every suggested driver with the event that prompted it, its state, who decided
-- and how long the decision took, and whether the drivers build has taken it into the hierarchy.
with queue as (
    select * from {{ ref('stg_intelligence__discovered_drivers') }}
),

events as (
    select event_id, published_at, source, title from {{ ref('fct_event_analyses') }}
)

select
    queue.discovery_id,
    queue.driver_key,
    queue.driver_level,
    queue.valuation_group,
    queue.valuation_subgroup,
    queue.company,
    queue.driver_category,
    queue.driver_name,
    queue.suggested_weight,
    queue.unit,
    queue.previous_value,
    queue.current_value,
    queue.sensitivity,
    queue.current_value is not null and queue.previous_value is not null
        and (queue.sensitivity is not null or queue.driver_category in ('DEMAND', 'COST')) as moves_valuations,
    queue.confidence,
    queue.reasoning,
    queue.analyzer,
    queue.source_event_id,
    events.source as source_publisher,
    events.title as source_title,
    events.published_at as source_published_at,
    queue.status,
    queue.suggested_at,
    queue.reviewer,
    queue.reviewed_at,
    queue.review_note,
    round((extract(epoch from queue.reviewed_at - queue.suggested_at) / 3600.0)::numeric, 2)::double precision
        as hours_to_decision,
    queue.applied_at,
    queue.applied_at is not null as in_hierarchy
from queue
left join events on events.event_id = queue.source_event_id
