-- OLS market beta vs SPY (60/252 sessions) and rate beta vs DGS10 changes; position_id '__portfolio__' is the portfolio
select
    {{ contract_columns() }}
from {{ ref('stg_portfolio__betas') }}
