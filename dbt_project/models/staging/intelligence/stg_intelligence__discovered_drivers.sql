-- The driver_key is built as the drivers build builds it (analytics/india/driver_hierarchy.py
-- discovered_driver_key): level|group|subgroup|company|name, blanks skipped (concat_ws skips nulls).
select
    discovery_id,
    concat_ws('|', driver_level, valuation_group, valuation_subgroup, company, driver_name) as driver_key,
    driver_level,
    valuation_group,
    valuation_subgroup,
    company,
    driver_category,
    driver_name,
    suggested_weight,
    unit,
    previous_value,
    current_value,
    sensitivity,
    confidence,
    reasoning,
    analyzer,
    source_event_id,
    status,
    suggested_at,
    reviewer,
    reviewed_at,
    review_note,
    applied_at
from {{ source('intelligence_analytics', 'discovered_drivers') }}
