-- depends_on: {{ source('options_analytics', 'option_chain_summary') }}
-- depends_on: {{ source('options', 'us_option_chain_snapshots') }}
-- (Sequencing only: the options marts are rebuilt once a run's whole analytics set is written, so the
-- chain, summary and strategy marts describe the same snapshots, and the graph runs them as one dbt step.)
-- Contracts as the sources sent them; option_type normalised to C/P (NSE writes CE/PE).
with snapshots as (
    select * from {{ source('options', 'nse_option_chain_snapshots') }}
)

select
    underlying,
    market,
    snapshot_ts,
    trade_date,
    expiry,
    strike,
    {{ option_side('option_type') }} as option_type,
    option_type as option_label,
    contract_symbol,
    last_price,
    bid,
    ask,
    volume,
    open_interest,
    oi_change,
    underlying_price,
    provider_iv,
    _source,
    _fetched_at
from snapshots
