-- Health score 0-100 with components, grade and interpretation
select
    portfolio_id,
    trade_date,
    health_score,
    grade,
    beta_score,
    volatility_score,
    concentration_score,
    diversification_score,
    interpretation
from {{ ref('stg_portfolio__health') }}
