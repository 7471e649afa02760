-- Realized volatility (21/63) and HAR forecasts (1/5/21 sessions), annualised
select
    {{ contract_columns() }}
from {{ ref('stg_portfolio__volatility') }}
