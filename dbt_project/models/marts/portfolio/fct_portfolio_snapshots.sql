-- Per portfolio and session: NAV, exposures, P&L and daily return
select
    {{ contract_columns() }}
from {{ ref('stg_portfolio__snapshots') }}
