-- Claw-back proposals for accounts below their minimum buffer (await approval)
select
    {{ contract_columns() }}
from {{ ref('stg_trading_desk__treasury_clawbacks') }}
