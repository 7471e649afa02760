-- Releases that changed a figure already published: what it was, what it became, and when.
select
    source,
    series_id,
    series_name,
    ref_period,
    previous_release_value as old_value,
    value as new_value,
    value - previous_release_value as revision,
    released_at as revised_at,
    release_number,
    loaded_from,
    document
from {{ ref('int_india__macro_releases') }}
where is_revision
