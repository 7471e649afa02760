-- Closed round trips (analytics.trading.learning conventions)
select
    {{ contract_columns() }}
from {{ ref('stg_trading_desk__trade_outcomes') }}
