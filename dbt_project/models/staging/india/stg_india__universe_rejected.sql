with rejected as (
    select * from {{ source('india_analytics', 'india_universe_rejected') }}
)

select
    document,
    source_row,
    nse_symbol,
    bse_code,
    accord_code,
    name,
    cd_sector,
    cd_industry,
    market_cap,
    reason,
    detail
from rejected
