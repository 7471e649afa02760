-- Per position and session: value, cost, P&L, delta and delta-adjusted exposure
select
    {{ contract_columns() }}
from {{ ref('stg_portfolio__position_snapshots') }}
