-- Realized volatility (21/63) and HAR forecasts (1/5/21 sessions), annualised
select
    portfolio_id,
    trade_date,
    position_id,
    realized_vol_21,
    realized_vol_63,
    har_vol_1d,
    har_vol_5d,
    har_vol_21d
from {{ ref('stg_portfolio__volatility') }}
