select
    nse_symbol, valuation_date, driver_key, attributed_to, input, move, effect,
    _fetched_at as _loaded_at
from {{ source('valuation_analytics', 'valuation_driver_effects') }}
