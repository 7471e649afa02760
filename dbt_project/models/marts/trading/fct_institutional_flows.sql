-- FII/FPI and DII activity per session (Rs crore) with 5/20-session sums and the 20-session z-score.
select
    trade_date,
    category,
    buy_value,
    sell_value,
    net_value,
    net_5d,
    net_20d,
    net_mean_20d,
    net_stddev_20d,
    net_z_20d
from {{ ref('int_trading__flow_windows') }}
