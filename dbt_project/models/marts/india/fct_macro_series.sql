-- One row per (series, reference period): the latest release's value, with year-on-year change.
-- YoY compares with the same period a year earlier: monthly and quarterly series that exact month;
-- daily series the last observation in the 7 days up to the same date (weekends, holidays). Event
-- series (policy-rate decisions) have no YoY.
-- A series already in percent (unit 'percent': unemployment, LFPR, yields, policy rates, inflation rates)
-- changes in percentage POINTS (7.8 % -> 8.1 % is +0.3, not +3.8 %); every other series in percent of the
-- base. `change_basis` says which.
with latest as (
    select * from {{ ref('int_india__macro_releases') }}
    where is_latest_release
),

based as (
    select
        *,
        case frequency
            when 'D' then last_value(value) over (
                partition by series_id order by ref_period
                range between interval '1 year 7 days' preceding and interval '1 year' preceding
            )
            when 'M' then same_period_last_year
            when 'Q' then same_period_last_year
        end as base_last_year,
        case when {{ is_percent_unit('unit') }} then 'percentage_points' else 'percent' end as change_basis
    from (
        select
            *,
            first_value(value) over (
                partition by series_id order by ref_period
                range between interval '1 year' preceding and interval '1 year' preceding
            ) as same_period_last_year
        from latest
    ) as with_same_period
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
    case change_basis
        when 'percentage_points' then value - base_last_year
        else {{ safe_divide('value', 'base_last_year') }} * 100 - 100
    end as yoy_change,
    change_basis,
    released_at,
    first_released_at,
    release_count,
    loaded_from,
    document
from based
