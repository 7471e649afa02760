-- Rule-based alert cards
select
    {{ contract_columns() }}
from {{ ref('stg_portfolio__insights') }}
