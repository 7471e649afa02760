-- What moved enough to act on: the old system's materiality assessment, one row per alert.
-- Dates are India dates (Asia/Kolkata). Macro values are taken in each driver's own transform (level, or
-- year-on-year change), so a trending index (CPI) is judged by its inflation rate, not its level.
--   MACRO_DIVERGENCE  a macro driver's release more than 2 standard deviations from the mean of its releases
--                     in the 12 months before (>= 3 of them); an FII outflow spike is the fii_flows driver
--                     below -2 SD; PMI crossing 50 either way
--   DRIVER_MOMENTUM   more than 3 drivers of a group (or of a subgroup) moving the same way within 7 days
--   VALUATION_GAP     CMP more than 10% from the day's base intrinsic value, per subgroup and side
--   CROSS_SIGNAL      a policy decision (an event-series MACRO driver: the repo rate) and a series mapped to
--                     the group (MACRO_SIGNAL) moving value the same way within 30 days: e.g. a repo cut and
--                     falling housing CPI for real estate
{% set ist = "'Asia/Kolkata'" %}

with drivers as (
    select * from {{ ref('fct_drivers') }}
),

macro_series as (
    select * from {{ ref('fct_macro_series') }}
),

companies as (
    select valuation_group, valuation_subgroup, nse_symbol from {{ ref('dim_india_company') }}
),

macro_drivers as (  -- market-wide drivers: their series, transform, and which way is bullish
    select driver_name, series_id, coalesce(transform, 'level') as transform,
           sign(bull_value - bear_value) as bullish_sign
    from drivers
    where driver_level = 'MACRO' and series_id is not null
),

releases as (  -- each series period in the driver's transform, with what came before it
    select
        d.driver_name, d.series_id, d.bullish_sign, s.frequency, s.ref_period,
        -- first publication: a revision release re-publishes months of history on one day
        (coalesce(s.first_released_at, s.released_at) at time zone {{ ist }})::date as release_date,
        case when d.transform = 'yoy' then s.yoy_change else s.value end as reading
    from macro_drivers as d
    join macro_series as s on s.series_id = d.series_id
),

scored as (
    select
        *,
        lag(reading) over by_period as previous_reading,
        avg(reading) over prior_12m as mean_12m,
        stddev_samp(reading) over prior_12m as sd_12m,
        count(reading) over prior_12m as n_12m
    from releases
    where reading is not null
    window by_period as (partition by driver_name order by ref_period),
           prior_12m as (partition by driver_name order by ref_period
                        range between interval '12 months' preceding and interval '1 day' preceding)
),

divergence as (
    select *, (reading - mean_12m) / sd_12m as z
    from scored
    where n_12m >= 3 and sd_12m > 0 and abs(reading - mean_12m) > 2 * sd_12m
),

macro_alerts as (
    select
        release_date as alert_date,
        'MACRO_DIVERGENCE' as alert_type,
        null::text as valuation_group,
        null::text as valuation_subgroup,
        driver_name || '@' || ref_period as signal_key,
        case when driver_name = 'fii_flows' and z < 0
             then format('FII outflow spike: %s at %s, %s SD below its 12-month mean %s (%s)',
                         driver_name, round(reading::numeric, 2), round(abs(z)::numeric, 1),
                         round(mean_12m::numeric, 2), ref_period)
             else format('%s at %s, %s SD %s its 12-month mean %s (%s)', driver_name, round(reading::numeric, 2),
                         round(abs(z)::numeric, 1), case when z > 0 then 'above' else 'below' end,
                         round(mean_12m::numeric, 2), ref_period)
        end as signal_description,
        case when driver_name = 'fii_flows' and z < 0 then 'REDUCE_EXPOSURE'
             when abs(z) >= 3 then 'REVALUE_NOW' else 'WATCH' end as suggested_action,
        case when abs(z) >= 3 or (driver_name = 'fii_flows' and z < 0) then 'HIGH' else 'MEDIUM' end as severity,
        null::integer as listed_companies
    from divergence

    union all

    select
        release_date,
        'MACRO_DIVERGENCE',
        null::text, null::text,
        driver_name || ':50@' || ref_period,
        format('%s crossed 50 %s: %s -> %s (%s)', driver_name,
               case when reading >= 50 then 'upward (expansion)' else 'downward (contraction)' end,
               round(previous_reading::numeric, 1), round(reading::numeric, 1), ref_period),
        case when reading >= 50 then 'REVALUE_NOW' else 'REDUCE_EXPOSURE' end,
        case when reading >= 50 then 'MEDIUM' else 'HIGH' end,
        null::integer
    from scored
    where driver_name like 'pmi\_%'
      and ((previous_reading < 50 and reading >= 50) or (previous_reading >= 50 and reading < 50))
),

driver_moves as (  -- a GROUP or SUBGROUP driver's value changing, with its sign
    select valuation_group, valuation_subgroup, driver_level, driver_name,
           (changed_at at time zone {{ ist }})::date as change_date,
           sign(new_value - old_value) as moved
    from {{ ref('fct_driver_changelog') }}
    where change_type = 'updated' and driver_level in ('GROUP', 'SUBGROUP')
      and old_value is not null and new_value is not null and new_value <> old_value
),

scopes as (  -- a group counts its own and its subgroups' drivers; a subgroup its own
    select valuation_group, null::text as valuation_subgroup, driver_name, change_date, moved from driver_moves
    union all
    select valuation_group, valuation_subgroup, driver_name, change_date, moved from driver_moves
    where driver_level = 'SUBGROUP'
),

momentum as (
    select
        days.valuation_group, days.valuation_subgroup, days.change_date,
        count(distinct m.driver_name) filter (where m.moved > 0) as rising,
        count(distinct m.driver_name) filter (where m.moved < 0) as falling,
        string_agg(distinct m.driver_name, ', ' order by m.driver_name) filter (where m.moved > 0) as rising_names,
        string_agg(distinct m.driver_name, ', ' order by m.driver_name) filter (where m.moved < 0) as falling_names
    from (select distinct valuation_group, valuation_subgroup, change_date from scopes) as days
    join scopes as m
      on m.valuation_group = days.valuation_group
     and m.valuation_subgroup is not distinct from days.valuation_subgroup
     and m.change_date > days.change_date - 7 and m.change_date <= days.change_date
    group by 1, 2, 3
),

momentum_alerts as (
    select
        change_date, 'DRIVER_MOMENTUM', valuation_group, valuation_subgroup, side,
        format('%s drivers %s within 7 days: %s', movers, side, names),
        'REVALUE_NOW',
        case when movers >= 6 then 'HIGH' else 'MEDIUM' end,
        null::integer
    from momentum
    cross join lateral (values ('rising', rising, rising_names), ('falling', falling, falling_names))
        as sides (side, movers, names)
    where movers > 3
),

gaps as (
    select valuation_date, valuation_group, valuation_subgroup, nse_symbol,
           cmp / intrinsic_value_per_share - 1 as gap
    from {{ ref('fct_valuations') }}
    where scenario = 'base' and intrinsic_value_per_share > 0 and cmp > 0
),

gap_alerts as (
    select
        valuation_date, 'VALUATION_GAP', valuation_group, valuation_subgroup, side,
        format('CMP more than 10%% %s base intrinsic value (largest %s%%): %s', side,
               round(max(abs(gap))::numeric * 100, 1), string_agg(nse_symbol, ', ' order by nse_symbol)),
        case when side = 'above' then 'REDUCE_EXPOSURE' else 'REVALUE_NOW' end,
        case when max(abs(gap)) > 0.25 then 'HIGH' else 'MEDIUM' end,
        count(*)::integer
    from (select *, case when gap > 0 then 'above' else 'below' end as side from gaps where abs(gap) > 0.10) as g
    group by valuation_date, valuation_group, valuation_subgroup, side
),

macro_impacts as (  -- which way each policy decision moved value (bullish +1, bearish -1): event series only
    -- (the repo rate), not every daily or monthly wiggle, which paired with every sector series made tens of
    -- thousands of "signals" on the demo's history; a large macro move alerts on its own as a divergence
    select driver_name, release_date, ref_period, bullish_sign * sign(reading - previous_reading) as impact
    from scored
    where frequency = 'E' and previous_reading is not null and reading <> previous_reading and bullish_sign <> 0
),

sector_impacts as (  -- releases of series mapped to a group (MACRO_SIGNAL drivers), signed by their sensitivity
    select sig.valuation_group, sig.valuation_subgroup, sig.series_id,
           r.release_date, r.ref_period, sig.sensitivity * sign(r.value - r.previous_value) as impact
    from drivers as sig
    join (
        select series_id, ref_period,
               (coalesce(first_released_at, released_at) at time zone {{ ist }})::date as release_date,
               case when change_basis = 'percent' and yoy_change is not null then yoy_change else value end as value,
               lag(case when change_basis = 'percent' and yoy_change is not null then yoy_change else value end)
                   over (partition by series_id order by ref_period) as previous_value
        from macro_series
    ) as r on r.series_id = sig.series_id
    where sig.driver_category = 'MACRO_SIGNAL' and sig.sensitivity is not null
      and r.previous_value is not null and r.value <> r.previous_value
),

cross_alerts as (
    select
        greatest(m.release_date, s.release_date), 'CROSS_SIGNAL', s.valuation_group, s.valuation_subgroup,
        m.driver_name || '@' || m.ref_period || '+' || s.series_id || '@' || s.ref_period,
        format('%s (%s) and %s (%s) both %s for %s', m.driver_name, m.ref_period, s.series_id, s.ref_period,
               case when m.impact > 0 then 'bullish' else 'bearish' end,
               coalesce(s.valuation_subgroup, s.valuation_group)),
        case when m.impact > 0 then 'REVALUE_NOW' else 'REDUCE_EXPOSURE' end,
        'MEDIUM',
        null::integer
    from macro_impacts as m
    join sector_impacts as s
      on s.impact = m.impact and abs(s.release_date - m.release_date) <= 30
),

alerts as (
    select * from macro_alerts
    union all select * from momentum_alerts
    union all select * from gap_alerts
    union all select * from cross_alerts
)

select
    md5(concat_ws('|', a.alert_type, a.alert_date, a.valuation_group, a.valuation_subgroup, a.signal_key)) as alert_id,
    a.alert_date,
    a.alert_type,
    a.valuation_group,
    a.valuation_subgroup,
    a.signal_key,
    a.signal_description,
    -- the companies named (valuation gaps), else every company in scope: subgroup, group, or (market-wide) all
    coalesce(a.listed_companies, (
        select count(*) from companies as c
        where (a.valuation_group is null or c.valuation_group = a.valuation_group)
          and (a.valuation_subgroup is null or c.valuation_subgroup = a.valuation_subgroup)
    ))::integer as affected_companies,
    a.suggested_action,
    a.severity
from alerts as a
