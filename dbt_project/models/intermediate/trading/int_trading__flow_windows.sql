-- Rolling windows over each category's sessions (the rows are sessions, so holidays do not count):
-- 5- and 20-session sums of the net value, and the net's z-score against its own 20-session window
-- (sample standard deviation, the window including the day). A window shorter than its length is null.
with flows as (
    select * from {{ ref('stg_nse__institutional_flows') }}
),

windows as (
    select
        *,
        count(*) over last_5 as sessions_5d,
        sum(net_value) over last_5 as net_5d_raw,
        count(*) over last_20 as sessions_20d,
        sum(net_value) over last_20 as net_20d_raw,
        avg(net_value) over last_20 as mean_20d_raw,
        stddev_samp(net_value) over last_20 as stddev_20d_raw
    from flows
    window
        last_5 as (partition by category order by trade_date rows between 4 preceding and current row),
        last_20 as (partition by category order by trade_date rows between 19 preceding and current row)
)

select
    trade_date,
    category,
    buy_value,
    sell_value,
    net_value,
    case when sessions_5d = 5 then net_5d_raw end as net_5d,
    case when sessions_20d = 20 then net_20d_raw end as net_20d,
    case when sessions_20d = 20 then mean_20d_raw end as net_mean_20d,
    case when sessions_20d = 20 then stddev_20d_raw end as net_stddev_20d,
    case when sessions_20d = 20 and stddev_20d_raw > 0
        then (net_value - mean_20d_raw) / stddev_20d_raw end as net_z_20d
from windows
