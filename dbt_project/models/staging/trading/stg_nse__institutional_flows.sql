-- The India domain's macro drivers read these flows: an empty set when the trading asset never ran here.
select
    trade_date,
    category,
    buy_value,
    sell_value,
    net_value,
    _fetched_at as _loaded_at
from {{ source_or_empty('nse', 'nse_institutional_flows', {
    'trade_date': 'date', 'category': 'text', 'buy_value': 'double precision', 'sell_value': 'double precision',
    'net_value': 'double precision', '_fetched_at': 'timestamptz'}) }}
