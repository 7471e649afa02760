-- Concentration (HHI, effective N, top 5) and diversification score
select
    {{ contract_columns() }}
from {{ ref('stg_portfolio__concentration') }}
