{{ config(
    materialized='incremental',
    unique_key=['nse_symbol', 'valuation_date', 'measure', 'factor'],
    incremental_strategy='delete+insert',
    tags=['daily', 'india_daily'],
    pre_hook="{{ delete_window('valuation_date') }}",
) }}
-- The change of a company's base valuation since its previous one, by input; per (company, day, measure)
-- the contributions plus the 'interaction' row add up to total_change (tested).

select
    nse_symbol,
    valuation_date,
    previous_valuation_date,
    measure,
    factor,
    factor = 'interaction' as is_interaction,
    model,
    contribution,
    total_change,
    previous_value,
    current_value
from {{ ref('stg_valuation__attribution') }}
where {{ in_window('valuation_date') }}
