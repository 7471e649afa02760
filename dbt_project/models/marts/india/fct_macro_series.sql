-- One row per (series, reference period): the latest release's value, with year-on-year change.
-- YoY compares with the same period a year earlier: monthly and quarterly series that exact month;
-- daily series the last observation in the 7 days up to the same date (weekends, holidays). Event
-- series (policy-rate decisions) have no YoY.
with latest as (
    select * from {{ ref('int_india__macro_releases') }}
    where is_latest_release
),

based as (
    select
        *,
        first_value(value) over (
            partition by series_id order by ref_period
            range between interval '1 year' preceding and interval '1 year' preceding
        ) as same_period_last_year,
        last_value(value) over (
            partition by series_id order by ref_period
            range between interval '1 year 7 days' preceding and interval '1 year' preceding
        ) as daily_last_year
    from latest
)

select
    source,
    series_id,
    series_name,
    geography,
    sector,
    frequency,
    unit,
    ref_period,
    value,
    case
        when frequency in ('M', 'Q') then {{ safe_divide('value', 'same_period_last_year') }} * 100 - 100
        when frequency = 'D' then {{ safe_divide('value', 'daily_last_year') }} * 100 - 100
    end as yoy_change,
    released_at,
    first_released_at,
    release_count,
    loaded_from,
    document
from based
