-- Pairwise 90-session return correlations of a portfolio's positions
select
    {{ contract_columns() }}
from {{ ref('stg_portfolio__correlations') }}
