-- Per position and session: value, cost, P&L, delta and delta-adjusted exposure
select
    portfolio_id,
    trade_date,
    position_id,
    ticker,
    position_type,
    quantity,
    multiplier,
    price,
    underlying_price,
    market_value,
    cost_basis,
    unrealized_pnl,
    daily_pnl,
    delta,
    delta_source,
    exposure,
    weight,
    is_open
from {{ ref('stg_portfolio__position_snapshots') }}
