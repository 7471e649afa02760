{{ config(
    materialized='incremental',
    unique_key=['nse_symbol', 'valuation_date'],
    incremental_strategy='delete+insert',
    tags=['daily', 'india_daily'],
    pre_hook="{{ delete_window('valuation_date') }}",
) }}
-- Base intrinsic value moved more than 5% from the company's previous valuation. The previous valuation is
-- read from the whole history (a MONTHLY company's previous value is a month old); only the window's rows
-- are written. main_factor is the input with the largest attribution, the interaction included; main_driver
-- the driver (or statements / cmp) with the largest attribution by driver.

with base as (
    select
        nse_symbol, valuation_date, model, intrinsic_value_per_share, cmp, upside_pct,
        lag(valuation_date) over by_company as previous_valuation_date,
        lag(intrinsic_value_per_share) over by_company as previous_value
    from {{ ref('stg_valuation__valuations') }}
    where scenario = 'base' and intrinsic_value_per_share is not null
    window by_company as (partition by nse_symbol order by valuation_date)
),

moves as (
    select *, (intrinsic_value_per_share / previous_value - 1) * 100 as change_pct
    from base
    where previous_value > 0 and {{ in_window('valuation_date') }}
),

main_factor as (
    select distinct on (nse_symbol, valuation_date) nse_symbol, valuation_date, factor, contribution
    from {{ ref('stg_valuation__attribution') }}
    where measure = 'intrinsic_value_per_share' and basis = 'INPUT' and {{ in_window('valuation_date') }}
    order by nse_symbol, valuation_date, abs(contribution) desc, factor
),

main_driver as (
    select distinct on (nse_symbol, valuation_date) nse_symbol, valuation_date, factor, contribution
    from {{ ref('stg_valuation__attribution') }}
    where measure = 'intrinsic_value_per_share' and basis = 'DRIVER' and factor <> 'interaction'
        and {{ in_window('valuation_date') }}
    order by nse_symbol, valuation_date, abs(contribution) desc, factor
)

select
    moves.nse_symbol,
    moves.valuation_date,
    moves.previous_valuation_date,
    moves.model,
    moves.previous_value as previous_intrinsic_value_per_share,
    moves.intrinsic_value_per_share,
    moves.change_pct,
    case when moves.change_pct > 0 then 'UP' else 'DOWN' end as direction,
    moves.cmp,
    moves.upside_pct,
    main_factor.factor as main_factor,
    main_factor.contribution as main_factor_contribution,
    main_driver.factor as main_driver,
    main_driver.contribution as main_driver_contribution
from moves
left join main_factor using (nse_symbol, valuation_date)
left join main_driver using (nse_symbol, valuation_date)
where abs(moves.change_pct) > 5
