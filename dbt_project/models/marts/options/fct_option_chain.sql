{{
    config(
        materialized='incremental',
        unique_key=['underlying', 'snapshot_ts', 'expiry', 'strike', 'option_type'],
        incremental_strategy='delete+insert',
        tags=['daily', 'options_daily'],
        pre_hook="{{ delete_window('trade_date') }}",
    )
}}

-- Incremental on the partition (tag:daily, on the options calendar: tag:options_daily): a run deletes its
-- window's trade dates and inserts them again from upstream, so a row pruned upstream leaves the mart and a
-- snapshot committed late is picked up by the run of its own partition.
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
where {{ in_window('c.trade_date') }}
