select
    upper(trim(symbol)) as symbol,
    company_name,
    series,
    listing_date,
    paid_up_value,
    market_lot,
    upper(trim(isin)) as isin,
    face_value,
    _fetched_at as _loaded_at
from {{ source('nse', 'nse_equity_list') }}
