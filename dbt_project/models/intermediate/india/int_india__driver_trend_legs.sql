-- Every driver observation with its 30/60/90-day trajectory. A "line" is what a driver reads: a macro series
-- in a transform (shared by every driver reading it) or, for a curated driver, its own snapshot history.
-- 30/60/90 days are taken as 1/2/3 calendar months so monthly series line up (the reading of a window is the
-- latest observation on or before that date). Legs: leg_1 = t-30 -> t, leg_2 = t-60 -> t-30,
-- leg_3 = t-90 -> t-60, each +1/-1/0 by the drivers' STABLE band.
--   STRUCTURAL_SHIFT  all three legs the same way: the trend has persisted for more than 60 days
--   REVERSAL          leg_2 and leg_3 the same way (a 60-day trend) and leg_1 the other way
-- Quarterly series have one observation per three months, so their legs never all move: no signal.
{% set ist = "'Asia/Kolkata'" %}

with drivers as (
    select driver_key, series_id, coalesce(transform, 'level') as transform
    from {{ ref('fct_drivers') }}
),

macro_series as (
    select * from {{ ref('fct_macro_series') }}
),

snapshot_versions as (
    select * from {{ ref('snp_india_drivers') }}
),

series_lines as (
    select distinct series_id, transform from drivers where series_id is not null
),

series_readings as (
    select
        'series:' || s.series_id || ':' || l.transform as line,
        s.ref_period as observed_on,
        (coalesce(s.first_released_at, s.released_at) at time zone {{ ist }})::date as known_on,
        case when l.transform = 'yoy' then s.yoy_change else s.value end as reading
    from macro_series as s
    join series_lines as l on l.series_id = s.series_id
),

curated_readings as (  -- drivers without a series: the last snapshot version of each India day
    select distinct on (driver_key, dbt_valid_from::date)
        'driver:' || driver_key as line,
        dbt_valid_from::date as observed_on,
        dbt_valid_from::date as known_on,
        current_value as reading
    from snapshot_versions
    where series_id is null and current_value is not null
    order by driver_key, dbt_valid_from::date, dbt_valid_from desc
),

readings as (
    select * from series_readings where reading is not null
    union all
    select * from curated_readings
),

windows as (
    select
        *,
        last_value(reading) over (partition by line order by observed_on
            range between unbounded preceding and interval '1 month' preceding) as reading_30d,
        last_value(reading) over (partition by line order by observed_on
            range between unbounded preceding and interval '2 months' preceding) as reading_60d,
        last_value(reading) over (partition by line order by observed_on
            range between unbounded preceding and interval '3 months' preceding) as reading_90d
    from readings
),

legs as (
    select
        *,
        {{ stable_sign('reading', 'reading_30d') }} as leg_1,
        {{ stable_sign('reading_30d', 'reading_60d') }} as leg_2,
        {{ stable_sign('reading_60d', 'reading_90d') }} as leg_3
    from windows
),

signals as (
    select
        *,
        case
            when leg_1 <> 0 and leg_1 = leg_2 and leg_2 = leg_3 then 'STRUCTURAL_SHIFT'
            when leg_2 <> 0 and leg_2 = leg_3 and leg_1 = -leg_2 then 'REVERSAL'
        end as trend_signal
    from legs
),

marked as (
    select
        *,
        case when trend_signal is not null then case when leg_1 > 0 then 'UP' else 'DOWN' end end as trend_direction,
        trend_signal is not null
            and (trend_signal || sign(leg_1)::text) is distinct from
                lag(trend_signal || sign(leg_1)::text) over (partition by line order by observed_on)
            as is_new_signal,
        row_number() over (partition by line order by observed_on desc) = 1 as is_latest
    from signals
)

select
    d.driver_key,
    m.line,
    m.observed_on,
    m.known_on,
    m.reading,
    m.reading_30d,
    m.reading_60d,
    m.reading_90d,
    m.leg_1,
    m.leg_2,
    m.leg_3,
    m.trend_signal,
    m.trend_direction,
    m.is_new_signal,
    m.is_latest
from marked as m
join drivers as d
    on m.line = case when d.series_id is not null then 'series:' || d.series_id || ':' || d.transform
                     else 'driver:' || d.driver_key end
