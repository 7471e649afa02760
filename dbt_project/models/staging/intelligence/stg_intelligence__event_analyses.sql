select
    event_id,
    analyzer,
    prompt_version,
    summary,
    key_points,
    risks,
    driver_impacts,
    suggested_drivers,
    jsonb_array_length(driver_impacts) as n_driver_impacts,
    jsonb_array_length(suggested_drivers) as n_suggested_drivers,
    prompt_tokens,
    completion_tokens,
    cost_usd,
    cached,
    analyzed_at
from {{ source('intelligence_analytics', 'event_analyses') }}
