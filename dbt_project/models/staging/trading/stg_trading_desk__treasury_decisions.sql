select
    transfer_id, status, rule, explanation, from_balance_after_paise, to_borrowed_after_paise, decided_at,
    _fetched_at as _loaded_at
from {{ source('trading_desk_analytics', 'treasury_decisions') }}
