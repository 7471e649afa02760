-- Notable changes since the previous session's snapshot
select
    portfolio_id,
    trade_date,
    kind,
    subject,
    severity,
    value,
    previous,
    change,
    message
from {{ ref('stg_portfolio__activity') }}
