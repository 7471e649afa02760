-- Per portfolio and session: NAV, exposures, P&L and daily return
select
    portfolio_id,
    trade_date,
    portfolio_name,
    nav,
    cash,
    long_market_value,
    short_market_value,
    gross_exposure,
    net_exposure,
    long_exposure,
    short_exposure,
    cost_basis,
    unrealized_pnl,
    daily_pnl,
    daily_return,
    n_positions
from {{ ref('stg_portfolio__snapshots') }}
