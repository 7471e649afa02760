-- Ridge factor exposures (market, size, value, momentum, quality, low vol)
select
    {{ contract_columns() }}
from {{ ref('stg_portfolio__factor_exposures') }}
