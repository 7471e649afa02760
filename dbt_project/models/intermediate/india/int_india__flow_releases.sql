-- The MACRO flow drivers' monthly series, read from the trading domain's FII/DII mart: each complete month's
-- sum of daily net values (Rs crore), in the macro-release shape. A month counts once it is complete: the mart
-- holds sessions of the month before and of a later one (the first month of the history may start mid-month,
-- the current one is still running). It is "released" at 18:30 IST on its last session (NSE's report time).
with flows as (
    select * from {{ ref('fct_institutional_flows') }}
),

months as (
    select
        category,
        date_trunc('month', trade_date)::date as ref_period,
        sum(net_value) as value,
        max(trade_date) as last_session
    from flows
    group by category, date_trunc('month', trade_date)
)

select
    'nse_flows'::text as loaded_from,
    'NSE'::text as source,
    case category when 'FII/FPI' then 'fii_cash_net_flows' else 'dii_cash_net_flows' end as series_id,
    case category
        when 'FII/FPI' then 'FII/FPI net purchases in the cash market (NSE), month sum'
        else 'DII net purchases in the cash market (NSE), month sum'
    end as series_name,
    'India'::text as geography,
    null::text as sector,
    'M'::text as frequency,
    ref_period,
    value,
    'Rs crore'::text as unit,
    (last_session + time '18:30') at time zone 'Asia/Kolkata' as released_at,
    'marts.fct_institutional_flows'::text as document,
    (last_session + time '18:30') at time zone 'Asia/Kolkata' as _fetched_at
from months
where ref_period < (select date_trunc('month', max(trade_date))::date from flows)
    and ref_period > (select date_trunc('month', min(trade_date))::date from flows)
