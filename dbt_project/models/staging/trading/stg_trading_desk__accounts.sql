select
    account, account_name, as_of, opening_balance_paise, balance_paise, min_buffer_paise, max_loan_paise, document,
    _fetched_at as _loaded_at
from {{ source('trading_desk', 'trading_accounts') }}
