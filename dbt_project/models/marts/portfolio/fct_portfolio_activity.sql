-- Notable changes since the previous session's snapshot
select
    {{ contract_columns() }}
from {{ ref('stg_portfolio__activity') }}
