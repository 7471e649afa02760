-- Playbook quality per strategy and exit month (analytics.trading.learning conventions)
select
    {{ contract_columns() }}
from {{ ref('stg_trading_desk__playbook_performance') }}
