-- News and regulator releases as events: one row per story, with the universe companies it names and their
-- valuation groups and subgroups.
with events as (
    select * from {{ ref('int_intelligence__events') }}
),

tags as (
    select
        event_id,
        array_agg(nse_symbol order by nse_symbol) as companies,
        array_agg(distinct valuation_group order by valuation_group) as groups,
        array_agg(distinct valuation_subgroup order by valuation_subgroup) as subgroups
    from {{ ref('int_intelligence__event_companies') }}
    group by event_id
)

select
    events.event_id,
    events.published_at,
    events.source,
    events.feed,
    events.title,
    events.summary,
    events.url,
    events.content_hash,
    coalesce(tags.companies, '{}'::text[]) as companies,
    coalesce(tags.groups, '{}'::text[]) as groups,
    coalesce(tags.subgroups, '{}'::text[]) as subgroups,
    events.is_policy_release,
    events.n_urls::integer as n_urls,
    events.first_seen_at
from events
left join tags on tags.event_id = events.event_id
