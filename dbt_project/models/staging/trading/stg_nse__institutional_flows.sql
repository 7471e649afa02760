select
    trade_date,
    category,
    buy_value,
    sell_value,
    net_value,
    _fetched_at as _loaded_at
from {{ source('nse', 'nse_institutional_flows') }}
