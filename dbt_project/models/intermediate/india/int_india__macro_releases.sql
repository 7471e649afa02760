-- Every release of every (series, period) from the four load paths (the fourth: the monthly FII/DII sums
-- of the trading domain's flows mart), ordered in time. Ties on
-- released_at (the same release seen by two paths) order by load path so the result is stable.
with releases as (
    select * from {{ ref('stg_mospi__releases') }}
    union all
    select * from {{ ref('stg_india_market__indicators') }}
    union all
    select * from {{ ref('stg_india__macro_files') }}
    union all
    -- the NSE flow series, built from the trading domain's flows mart (empty when the India domain runs alone)
    select * from {{ ref_or_empty('int_india__flow_releases', {
        'loaded_from': 'text', 'source': 'text', 'series_id': 'text', 'series_name': 'text', 'geography': 'text',
        'sector': 'text', 'frequency': 'text', 'ref_period': 'date', 'value': 'double precision', 'unit': 'text',
        'released_at': 'timestamp with time zone', 'document': 'text', '_fetched_at': 'timestamp with time zone'}) }}
),

ordered as (
    select
        *,
        row_number() over release_order as release_number,
        count(*) over (partition by series_id, ref_period) as release_count,
        lag(value) over release_order as previous_release_value,
        min(released_at) over (partition by series_id, ref_period) as first_released_at
    from releases
    window release_order as (partition by series_id, ref_period order by released_at, loaded_from)
)

select
    loaded_from,
    source,
    series_id,
    series_name,
    geography,
    sector,
    frequency,
    unit,
    ref_period,
    value,
    released_at,
    document,
    release_number,
    release_count,
    release_number = release_count as is_latest_release,
    previous_release_value,
    release_number > 1 and value is distinct from previous_release_value as is_revision,
    first_released_at
from ordered
