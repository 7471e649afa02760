{{
    config(
        materialized='incremental',
        unique_key=['underlying', 'snapshot_ts', 'expiry', 'strike', 'option_type'],
        incremental_strategy='delete+insert',
    )
}}

-- Incremental: intraday snapshots make this the largest table of the platform, and a run only adds or
-- rewrites the rows whose raw or analytics side changed since the last build (_loaded_at watermark).
-- The watermark looks back a little (var option_chain_lookback) so rows that an overlapping run (the
-- NSE and US schedules) committed while the previous build was reading are not missed.
with contracts as (
    select * from {{ ref('stg_options__chain_snapshots') }}
),

enriched as (
    select * from {{ ref('stg_options__contracts_enriched') }}
)

select
    c.underlying,
    c.market,
    c.snapshot_ts,
    c.trade_date,
    c.expiry,
    c.expiry - c.trade_date as days_to_expiry,
    e.time_to_expiry,
    c.strike,
    c.option_type,
    c.contract_symbol,
    c.last_price,
    c.bid,
    c.ask,
    e.quote_price,
    c.volume,
    c.open_interest,
    c.oi_change,
    e.underlying_price,
    e.forward,
    e.risk_free_rate,
    e.dividend_yield,
    c.provider_iv,
    e.iv,
    e.iv_status,
    e.delta,
    e.gamma,
    e.theta_per_day as theta,
    e.vega,
    e.rho,
    greatest(c._fetched_at, e._fetched_at) as _loaded_at
from contracts as c
inner join enriched as e using (underlying, snapshot_ts, expiry, strike, option_type)
{% if is_incremental() %}
where greatest(c._fetched_at, e._fetched_at) > (
    select coalesce(max(_loaded_at), '-infinity'::timestamptz) - interval '{{ var("option_chain_lookback", "1 hour") }}'
    from {{ this }}
)
{% endif %}
