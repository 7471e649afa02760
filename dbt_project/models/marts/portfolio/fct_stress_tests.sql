-- Historical windows replayed on today's weights and scenario shocks
select
    {{ contract_columns() }}
from {{ ref('stg_portfolio__stress_tests') }}
