-- VaR/CVaR (historical, parametric; 95/99; 1/10 days) and performance ratios
select
    {{ contract_columns() }}
from {{ ref('stg_portfolio__risk') }}
