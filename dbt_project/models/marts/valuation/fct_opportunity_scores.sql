{{ config(
    materialized='incremental',
    unique_key=['score_date', 'scope_level', 'scope'],
    incremental_strategy='delete+insert',
    tags=['daily', 'india_daily'],
    pre_hook="{{ delete_window('score_date') }}",
) }}
-- Where to look first: per valuation group and subgroup and valuation date,
--   score = valuation_upside x (1 + driver_momentum) x (1 + macro_tailwind) / volatility
-- valuation_upside: the mean base upside (decimal) of the scope's companies, each at its latest base
--   valuation within 31 days (WEEKLY and MONTHLY companies count between their valuations);
-- driver_momentum in [-1, 1]: the weighted net direction of the scope's DEMAND/COST drivers (a group: its own;
--   a subgroup: its group's and its own), each signed by its sensitivity: sum(w x s x dir) / sum(w);
-- macro_tailwind in [-1, 1]: the mean signed direction of the scope's macro signals (MACRO_SIGNAL drivers);
-- volatility: the annualised standard deviation of the scope's equal-weighted daily return (bhavcopy close vs
--   previous close) over the 90 days to the score date, at least 5 returns, floored at 5%.
-- Momentum and tailwind enter as 1 + x: a literal product of three signed numbers would rank a downside with
-- falling drivers (negative x negative) as an opportunity; 1 + x keeps the upside's sign and scales it by how
-- the drivers lean. Drivers are taken as of the run, like the valuation step. The top 5 per date and level
-- with a positive score are flagged for priority re-valuation.
with valuations as (
    select * from {{ ref('stg_valuation__valuations') }}
),

companies as (
    select nse_symbol, valuation_group, valuation_subgroup from {{ ref('dim_india_company') }}
),

bhavcopy as (
    select trade_date, nse_symbol, series, close, prev_close from {{ source('valuation', 'nse_bhavcopy') }}
),

score_dates as (
    select distinct valuation_date as score_date
    from valuations
    where {{ in_window('valuation_date') }}
),

latest_values as (
    select distinct on (d.score_date, v.nse_symbol)
        d.score_date, v.nse_symbol, v.valuation_group, v.valuation_subgroup, v.upside_pct / 100 as upside
    from score_dates as d
    join valuations as v
        on v.scenario = 'base' and v.upside_pct is not null
        and v.valuation_date <= d.score_date and v.valuation_date > d.score_date - 31
    order by d.score_date, v.nse_symbol, v.valuation_date desc
),

scopes as (  -- every company counts in its group and in its subgroup
    select score_date, 'GROUP' as scope_level, valuation_group as scope, valuation_group, nse_symbol, upside
    from latest_values
    union all
    select score_date, 'SUBGROUP', valuation_subgroup, valuation_group, nse_symbol, upside
    from latest_values
),

upside as (
    select score_date, scope_level, scope, valuation_group, avg(upside) as valuation_upside,
           count(*) as companies
    from scopes
    group by score_date, scope_level, scope, valuation_group
),

drivers as (
    select driver_level, valuation_group, valuation_subgroup, driver_category, weight, sensitivity,
           case direction when 'UP' then 1 when 'DOWN' then -1 when 'STABLE' then 0 end as dir
    from {{ ref('fct_drivers') }}
    where driver_level in ('GROUP', 'SUBGROUP') and sensitivity is not null and direction is not null
),

scope_drivers as (  -- the drivers in each scope's chain
    select 'GROUP' as scope_level, valuation_group as scope, d.*
    from drivers as d where driver_level = 'GROUP'
    union all
    select 'SUBGROUP', s.valuation_subgroup, d.*
    from (select distinct valuation_group, valuation_subgroup from companies) as s
    join drivers as d
        on d.valuation_group = s.valuation_group
        and (d.driver_level = 'GROUP' or d.valuation_subgroup = s.valuation_subgroup)
),

leanings as (
    select
        scope_level, scope,
        sum(weight * sensitivity * dir) filter (where driver_category in ('DEMAND', 'COST'))
            / nullif(sum(weight) filter (where driver_category in ('DEMAND', 'COST')), 0) as driver_momentum,
        (avg(sensitivity * dir) filter (where driver_category = 'MACRO_SIGNAL'))::double precision as macro_tailwind
    from scope_drivers
    group by scope_level, scope
),

company_returns as (
    select b.trade_date, c.valuation_group, c.valuation_subgroup, b.close / b.prev_close - 1 as daily_return
    from bhavcopy as b
    join companies as c on c.nse_symbol = b.nse_symbol
    where b.series = 'EQ' and b.prev_close > 0
        and b.trade_date > (select min(score_date) from score_dates) - 90
        and b.trade_date <= (select max(score_date) from score_dates)
),

scope_returns as (
    select trade_date, 'GROUP' as scope_level, valuation_group as scope, avg(daily_return) as daily_return
    from company_returns group by trade_date, valuation_group
    union all
    select trade_date, 'SUBGROUP', valuation_subgroup, avg(daily_return)
    from company_returns group by trade_date, valuation_subgroup
),

volatility as (
    select d.score_date, r.scope_level, r.scope,
           stddev_samp(r.daily_return) * sqrt(252) as volatility, count(*) as returns
    from score_dates as d
    join scope_returns as r on r.trade_date <= d.score_date and r.trade_date > d.score_date - 90
    group by d.score_date, r.scope_level, r.scope
    having count(*) >= 5
),

scored as (
    select
        u.score_date, u.scope_level, u.scope, u.valuation_group,
        case when u.scope_level = 'SUBGROUP' then u.scope end as valuation_subgroup,
        u.companies, u.valuation_upside,
        coalesce(l.driver_momentum, 0) as driver_momentum,
        coalesce(l.macro_tailwind, 0) as macro_tailwind,
        v.volatility,
        u.valuation_upside * (1 + coalesce(l.driver_momentum, 0)) * (1 + coalesce(l.macro_tailwind, 0))
            / greatest(v.volatility, 0.05) as opportunity_score
    from upside as u
    left join leanings as l using (scope_level, scope)
    left join volatility as v using (score_date, scope_level, scope)
),

ranked as (
    select
        *,
        rank() over (partition by score_date, scope_level order by opportunity_score desc nulls last) as score_rank
    from scored
)

select *, coalesce(score_rank <= 5 and opportunity_score > 0, false) as is_priority
from ranked
