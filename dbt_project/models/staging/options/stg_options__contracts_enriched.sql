-- depends_on: {{ source('options_analytics', 'option_chain_summary') }}
-- (Sequencing only: the options marts are rebuilt once a run's whole analytics set is written, so the
-- chain, summary and strategy marts describe the same snapshots, and the graph runs them as one dbt step.)
with enriched as (
    select * from {{ source('options_analytics', 'option_contracts_enriched') }}
)

select
    underlying,
    market,
    snapshot_ts,
    trade_date,
    expiry,
    strike,
    {{ option_side('option_type') }} as option_type,
    underlying_price,
    time_to_expiry,
    risk_free_rate,
    dividend_yield,
    forward,
    quote_price,
    iv,
    iv_status,
    delta,
    gamma,
    theta,
    theta_per_day,
    vega,
    rho,
    _fetched_at
from enriched
