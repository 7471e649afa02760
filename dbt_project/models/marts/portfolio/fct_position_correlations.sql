-- Pairwise 90-session return correlations of a portfolio's 100 largest positions (analytics.portfolio.concentration)
select
    {{ contract_columns() }}
from {{ ref('stg_portfolio__correlations') }}
