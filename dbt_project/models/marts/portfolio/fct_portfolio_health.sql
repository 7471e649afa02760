-- Health score 0-100 with components, grade and interpretation
select
    {{ contract_columns() }}
from {{ ref('stg_portfolio__health') }}
