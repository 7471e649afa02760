select
    upper(trim(symbol)) as symbol,
    event_type,
    event_date,
    purpose,
    company_name,
    isin,
    announced_at,
    record_date,
    reference,
    request_date,
    _fetched_at as _loaded_at
from {{ source('nse', 'nse_corporate_events') }}
