{{ config(
    materialized='incremental',
    unique_key=['nse_symbol', 'valuation_date', 'measure', 'basis', 'factor'],
    incremental_strategy='delete+insert',
    tags=['daily', 'india_daily'],
    pre_hook="{{ delete_window('valuation_date') }}",
) }}
-- The change of a company's base valuation since its previous one, by input (basis INPUT) and by driver
-- (basis DRIVER: a macro print under the MACRO driver whose series it is, the statements, the CMP); per
-- (company, day, measure, basis) the contributions plus the 'interaction' row add up to total_change (tested).
-- The driver basis lists only factors that moved the value.

select
    nse_symbol,
    valuation_date,
    previous_valuation_date,
    measure,
    basis,
    factor,
    factor = 'interaction' as is_interaction,
    case when basis = 'DRIVER' and factor like '%|%' then split_part(factor, '|', 1) end as driver_level,
    model,
    contribution,
    total_change,
    previous_value,
    current_value
from {{ ref('stg_valuation__attribution') }}
where {{ in_window('valuation_date') }}
