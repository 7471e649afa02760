-- Every change of every driver, from the snapshot history: created, updated (old -> new current value,
-- weight, direction) or removed; when it changed and what triggered it (macro_sync, pm_edit, agent,
-- agent_analysis, agent_discovery; a removal has no trigger of its own); and every trend the trend detection
-- found (change_type 'trend', trigger trend_detection: old_value the reading 90 days before, new_value now).
with versions as (
    select
        *,
        coalesce(dbt_is_deleted::text, 'False') = 'True' as is_deleted
    from {{ ref('snp_india_drivers') }}
),

trend_signals as (
    select * from {{ ref('fct_driver_trend_signals') }}
),

paired as (
    select
        *,
        lag(current_value) over history as old_value,
        lag(weight) over history as old_weight,
        lag(direction) over history as old_direction,
        lag(dbt_scd_id) over history as previous_version
    from versions
    window history as (partition by driver_key order by dbt_valid_from, dbt_updated_at)
)

select
    dbt_scd_id as change_id,
    driver_key,
    driver_level,
    valuation_group,
    valuation_subgroup,
    company,
    driver_category,
    driver_name,
    case
        when is_deleted then 'removed'
        when previous_version is null then 'created'
        else 'updated'
    end as change_type,
    concat_ws(',',
        case when previous_version is not null and not is_deleted
                  and current_value is distinct from old_value then 'current_value' end,
        case when previous_version is not null and not is_deleted
                  and weight is distinct from old_weight then 'weight' end,
        case when previous_version is not null and not is_deleted
                  and direction is distinct from old_direction then 'direction' end
    ) as changed_fields,
    old_value,
    case when not is_deleted then current_value end as new_value,
    old_weight,
    case when not is_deleted then weight end as new_weight,
    old_direction,
    case when not is_deleted then direction end as new_direction,
    case when is_deleted then dbt_valid_from else updated_at end as changed_at,
    case when not is_deleted then updated_by end as triggered_by,
    dbt_valid_from as recorded_at,
    null::text as trend_signal
from paired

union all

select
    s.signal_id as change_id,
    {{ driver_identity('s') }},
    'trend' as change_type,
    'trend' as changed_fields,
    reading_90d as old_value,
    reading as new_value,
    null::double precision as old_weight,
    null::double precision as new_weight,
    null::text as old_direction,
    trend_direction as new_direction,
    (signal_date::timestamp at time zone 'Asia/Kolkata') as changed_at,
    'trend_detection' as triggered_by,
    signal_date::timestamp as recorded_at,
    trend_signal
from trend_signals as s
