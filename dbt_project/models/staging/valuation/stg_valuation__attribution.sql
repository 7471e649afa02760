select
    nse_symbol, valuation_date, previous_valuation_date, measure, basis, factor, model, contribution, total_change,
    previous_value, current_value,
    _fetched_at as _loaded_at
from {{ source('valuation_analytics', 'valuation_attribution') }}
