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
    n_positions,
    _fetched_at as _loaded_at
from {{ source('portfolio_analytics', 'portfolio_snapshots') }}
