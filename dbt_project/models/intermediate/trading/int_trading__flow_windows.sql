-- Rolling windows over each category's sessions (the rows are sessions, so holidays do not count):
-- 5- and 20-session sums of the net value, and the net's z-score against its own 20-session window
-- (sample standard deviation, the window including the day). A window shorter than its length is null.
with flows as (
    select * from {{ ref('stg_nse__institutional_flows') }}
),

windows as (
    select
        *,
        {{ trailing_sum('net_value', 5, 'category', 'trade_date') }} as net_5d,
        {{ trailing_sum('net_value', 20, 'category', 'trade_date') }} as net_20d,
        count(*) over last_20 as sessions_20d,
        avg(net_value) over last_20 as mean_20d_raw,
        stddev_samp(net_value) over last_20 as stddev_20d_raw
    from flows
    window
        last_20 as ({{ trailing_frame(20, 'category', 'trade_date') }})
)

select
    trade_date,
    category,
    buy_value,
    sell_value,
    net_value,
    net_5d,
    net_20d,
    case when sessions_20d = 20 then mean_20d_raw end as net_mean_20d,
    case when sessions_20d = 20 then stddev_20d_raw end as net_stddev_20d,
    case when sessions_20d = 20 and stddev_20d_raw > 0
        then (net_value - mean_20d_raw) / stddev_20d_raw end as net_z_20d
from windows
