-- One row per story: items sharing a content hash (a wire story on two sites, a release re-posted) are one
-- event, kept from the earliest-published item (then the first URL), with the number of URLs that carried it.
with items as (
    select * from {{ ref('stg_newsfeeds__items') }}
),

ranked as (
    select
        items.*,
        row_number() over (partition by event_id order by published_at nulls last, url) as position,
        count(*) over (partition by event_id) as n_urls
    from items
)

select
    event_id, url, content_hash, feed, source, title, summary, published_at, is_policy_release,
    first_seen_at, n_urls
from ranked
where position = 1
