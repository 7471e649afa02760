select
    playbook, as_of, metric, baseline, rolling, decline, allowed_drop, current_threshold, proposed_threshold,
    explanation, status, _fetched_at as _loaded_at
from {{ source('trading_desk_analytics', 'meta_label_proposals') }}
