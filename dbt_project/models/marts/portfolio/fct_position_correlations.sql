-- Pairwise 90-session return correlations of a portfolio's positions
select
    portfolio_id,
    trade_date,
    position_a,
    position_b,
    correlation
from {{ ref('stg_portfolio__correlations') }}
