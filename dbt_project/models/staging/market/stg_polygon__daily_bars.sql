with bars as (
    select * from {{ source('market', 'polygon_daily_bars') }}
)

select
    ticker,
    trade_date,
    open,
    high,
    low,
    close,
    volume,
    vwap,
    transactions,
    _fetched_at
from bars
