with drivers as (
    select * from {{ source('india_analytics', 'india_drivers') }}
)

select
    driver_key,
    driver_level,
    valuation_group,
    valuation_subgroup,
    company,
    alpha_config_id,
    driver_category,
    driver_name,
    series_id,
    transform,
    unit,
    weight,
    tier,
    bull_value,
    base_value,
    bear_value,
    sensitivity,
    current_value,
    previous_value,
    as_of,
    direction,
    updated_at,
    updated_by
from drivers
