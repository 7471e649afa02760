-- Each driver's latest 30/60/90-day trajectory (int_india__driver_trend_legs) and the trend signal it is in.
with legs as (
    select * from {{ ref('int_india__driver_trend_legs') }}
),

drivers as (
    select * from {{ ref('fct_drivers') }}
)

select
    {{ driver_identity('d') }},
    d.series_id,
    t.observed_on,
    t.reading,
    t.reading - t.reading_30d as change_30d,
    t.reading - t.reading_60d as change_60d,
    t.reading - t.reading_90d as change_90d,
    t.leg_1,
    t.leg_2,
    t.leg_3,
    t.trend_signal,
    t.trend_direction
from legs as t
join drivers as d using (driver_key)
where t.is_latest
