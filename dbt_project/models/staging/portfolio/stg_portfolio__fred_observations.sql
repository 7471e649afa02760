select
    series_id,
    obs_date,
    value,
    _fetched_at as _loaded_at
from {{ source('portfolio', 'fred_observations') }}
