select
    request_date,
    deal_type,
    seq,
    deal_date,
    upper(trim(symbol)) as symbol,
    security_name,
    client_name,
    side,
    quantity,
    price,
    remarks,
    _fetched_at as _loaded_at
from {{ source('nse', 'nse_bulk_block_deals') }}
