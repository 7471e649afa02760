select
    event_id,
    regulator,
    stance,
    array(select jsonb_array_elements_text(impacted_sectors) order by 1) as impacted_sectors,
    confidence,
    rationale,
    analyzer,
    analyzed_at
from {{ source('intelligence_analytics', 'policy_updates') }}
