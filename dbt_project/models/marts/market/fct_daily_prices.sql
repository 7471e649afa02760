{{
    config(
        materialized='incremental',
        unique_key=['ticker', 'trade_date'],
        incremental_strategy='delete+insert',
        tags=['daily'],
        pre_hook="{{ delete_window('trade_date') }}",
    )
}}

-- One split-adjusted daily bar per ticker and NYSE session (Polygon adjusted=true).
-- Incremental on the session window (tag:daily): a run rewrites only its sessions' rows.
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
where {{ in_window('trade_date') }}
