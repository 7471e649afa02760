select
    account, from_account, amount_paise, basis, shortfall_paise, explanation, status, proposed_at,
    _fetched_at as _loaded_at
from {{ source('trading_desk_analytics', 'treasury_clawbacks') }}
