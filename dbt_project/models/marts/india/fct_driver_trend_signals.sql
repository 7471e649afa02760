-- Trend detection, one row per signal as it starts: a STRUCTURAL_SHIFT (a move persisting more than 60 days)
-- or a REVERSAL (a 60-day trend turning), dated when the observation was known (India date). The driver
-- changelog lists each with trigger trend_detection.
with legs as (
    select * from {{ ref('int_india__driver_trend_legs') }}
),

drivers as (
    select * from {{ ref('fct_drivers') }}
)

select
    md5(t.driver_key || '|' || t.observed_on || '|' || t.trend_signal || '|' || t.trend_direction) as signal_id,
    {{ driver_identity('d') }},
    t.observed_on,
    t.known_on as signal_date,
    t.trend_signal,
    t.trend_direction,
    t.reading,
    t.reading_30d,
    t.reading_60d,
    t.reading_90d,
    format('%s %s: %s -> %s -> %s -> %s over 90 days (%s)', d.driver_name,
           case when t.trend_signal = 'REVERSAL' then 'reversed ' || lower(t.trend_direction) || ' after a 60-day trend'
                else 'structural shift ' || lower(t.trend_direction) end,
           round(t.reading_90d::numeric, 2), round(t.reading_60d::numeric, 2), round(t.reading_30d::numeric, 2),
           round(t.reading::numeric, 2), t.observed_on) as signal_description
from legs as t
join drivers as d using (driver_key)
where t.is_new_signal
