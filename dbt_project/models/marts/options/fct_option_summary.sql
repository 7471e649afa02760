with summary as (
    select * from {{ ref('stg_options__chain_summary') }}
)

select
    underlying,
    market,
    snapshot_ts,
    trade_date,
    expiry,
    expiry - trade_date as days_to_expiry,
    time_to_expiry,
    underlying_price,
    forward,
    n_contracts,
    n_iv_ok,
    pcr_oi,
    pcr_volume,
    call_oi,
    put_oi,
    call_volume,
    put_volume,
    max_pain,
    atm_iv,
    iv_put_25d,
    iv_call_25d,
    skew_25d,
    atm_iv_30d,
    iv_rank_52w,
    iv_percentile_52w,
    iv_history_days
from summary
