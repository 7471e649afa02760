-- Rule-based alert cards
select
    portfolio_id,
    trade_date,
    rule,
    subject,
    severity,
    metric,
    value,
    threshold,
    message
from {{ ref('stg_portfolio__insights') }}
