-- One split-adjusted daily bar per ticker and NYSE session (Polygon adjusted=true).
with bars as (
    select * from {{ ref('stg_polygon__daily_bars') }}
)

select
    ticker,
    trade_date,
    open,
    high,
    low,
    close,
    volume,
    vwap
from bars
