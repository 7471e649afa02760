select
    card_id, version, rule, severity, observed, threshold, inputs, explanation, card_hash, evaluated_at,
    _fetched_at as _loaded_at
from {{ source('trading_desk_analytics', 'guardrail_results') }}
