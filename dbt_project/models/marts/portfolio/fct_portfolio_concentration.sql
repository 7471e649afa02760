-- Concentration (HHI, effective N, top 5) and diversification score
select
    portfolio_id,
    trade_date,
    hhi,
    effective_positions,
    top5_weight,
    largest_weight,
    avg_correlation,
    diversification_score
from {{ ref('stg_portfolio__concentration') }}
