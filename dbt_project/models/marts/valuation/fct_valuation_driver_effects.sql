{{ config(
    materialized='incremental',
    unique_key=['nse_symbol', 'valuation_date', 'driver_key', 'input'],
    incremental_strategy='delete+insert',
    tags=['daily', 'india_daily'],
    pre_hook="{{ delete_window('valuation_date') }}",
) }}
-- The lineage from a driver to the values it moved: per base valuation, what each driver of the company's
-- chain (macro -> group -> subgroup -> company) added to a model input (analytics/valuation/driver_effects.py).

with effects as (
    select * from {{ ref('stg_valuation__driver_effects') }}
),

base_valuations as (
    select nse_symbol, valuation_date, valuation_group, valuation_subgroup, model
    from {{ ref('stg_valuation__valuations') }}
    where scenario = 'base'
)

select
    e.nse_symbol,
    e.valuation_date,
    e.driver_key,
    split_part(e.driver_key, '|', 1) as driver_level,
    e.attributed_to,
    e.input,
    e.move,
    e.effect,
    v.valuation_group,
    v.valuation_subgroup,
    v.model
from effects as e
join base_valuations as v on v.nse_symbol = e.nse_symbol and v.valuation_date = e.valuation_date
where {{ in_window('e.valuation_date') }}
