select
    transfer_id, entry, account, counterparty, amount_paise, posted_at, approved_by, _fetched_at as _loaded_at
from {{ source('trading_desk_analytics', 'treasury_ledger') }}
