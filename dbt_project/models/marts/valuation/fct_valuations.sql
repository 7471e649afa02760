{{ config(
    materialized='incremental',
    unique_key=['nse_symbol', 'valuation_date', 'scenario'],
    incremental_strategy='delete+insert',
    tags=['daily', 'india_daily'],
    pre_hook="{{ delete_window('valuation_date') }}",
) }}
-- Intrinsic value per company, NSE session and scenario, with the key assumptions. Model inputs that do
-- not belong to the row's model are null (a bank has no WACC or EBIT margin; an FCFF company no ROE).

select
    nse_symbol,
    valuation_date,
    scenario,
    model,
    valuation_group,
    valuation_subgroup,
    valuation_frequency,
    intrinsic_value_per_share,
    cmp,
    price_date,
    upside_pct,
    wacc,
    cost_of_equity,
    coalesce(wacc, cost_of_equity) as discount_rate,
    terminal_growth,
    forecast_years,
    statements_as_of,
    risk_free,
    beta,
    equity_risk_premium,
    case when model = 'FCFF' then revenue end as revenue,
    case when model = 'FCFF' then growth_start end as revenue_growth_start,
    case when model = 'FCFF' then ebit_margin end as ebit_margin,
    case when model = 'FCFF' then reinvestment_rate end as reinvestment_rate,
    case when model = 'FCFF' then tax_rate end as tax_rate,
    case when model = 'FCFF' then cost_of_debt end as cost_of_debt,
    case when model = 'FCFF' then debt_weight end as debt_weight,
    case when model = 'FCFF' then cash end as cash,
    case when model = 'FCFF' then debt end as debt,
    case when model = 'EXCESS_RETURN' then book_value end as book_value,
    case when model = 'EXCESS_RETURN' then roe end as roe,
    case when model = 'EXCESS_RETURN' then payout_ratio end as payout_ratio,
    diluted_shares
from {{ ref('stg_valuation__valuations') }}
where {{ in_window('valuation_date') }}
