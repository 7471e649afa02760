select
    index_name,
    upper(trim(symbol)) as symbol,
    company_name,
    industry,
    series,
    upper(trim(isin)) as isin,
    _fetched_at as _loaded_at
from {{ source('nse', 'nse_index_constituents') }}
