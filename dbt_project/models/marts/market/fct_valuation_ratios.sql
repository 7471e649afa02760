{{ config(
    materialized='incremental',
    unique_key=['ticker', 'trade_date'],
    incremental_strategy='delete+insert',
    tags=['daily'],
    pre_hook=["set local enable_nestloop = {{ 'off' if window_applies() else 'on' }}",
              "{{ delete_window('trade_date') }}"],
) }}
{#- enable_nestloop: a window's run reads a few thousand filing days, which Postgres estimates from CTEs at a
    few hundred rows and a join of them at one, then loops over the day's bars once per company state
    (100 s at the seeds' scale; 3 s hashed). `set local`: this model's transaction only. -#}
-- Price-based valuation ratios per ticker and NYSE session, point in time and on ONE share basis: the
-- shares as they traded that day.
--   close      the close as traded: the stored bar is split-adjusted to the basis of the day it was
--              fetched (Polygon adjusted=true), so it is multiplied back by factor(fetched) / factor(day).
--   eps_ttm    trailing diluted EPS of the latest period known that day, each quarter's reported EPS
--              moved from the basis of the day it was filed: x factor(filed) / factor(day).
--   shares     the latest cover-page share count (dei) filed by that day, moved from the basis of its
--              as-of date: x factor(day) / factor(as_of).
-- factor is fct_split_factors' cumulative split factor of the ticker. Ratios are therefore continuous
-- across a split (a 4-for-1 split quarters close and eps_ttm alike), and a row once written never
-- changes when a later split arrives (factor(day) of a past day does not move).
-- "Known that day": statements and share counts filed on or before the session. The period is the
-- latest period end among them (FY before a same-day Q4, then the latest filed).
-- Each share class (GOOG and GOOGL) has its own rows, priced on its own close, with its company's numbers.
-- Incremental: a run writes only the sessions in its window (in_window), from the states those sessions can
-- see: each company's last filing day before the window and those inside it (a full build: every filing day).

with bars as (
    select ticker, trade_date, close, (_fetched_at at time zone 'America/New_York')::date as fetched_on
    from {{ ref('stg_polygon__daily_bars') }}
    where {{ in_window('trade_date') }}
),

factors as (
    select * from {{ ref('fct_split_factors') }}
),

companies as (
    select ticker, cik from {{ ref('stg_sec__companies') }}
),

priced as (
    select
        bars.ticker,
        companies.cik,
        bars.trade_date,
        bars.close * coalesce(at_fetch.cumulative_factor, 1) / coalesce(on_day.cumulative_factor, 1) as close,
        coalesce(on_day.cumulative_factor, 1) as split_factor
    from bars
    inner join companies on companies.ticker = bars.ticker
    left join factors as on_day
        on on_day.ticker = bars.ticker and bars.trade_date >= on_day.valid_from and bars.trade_date < on_day.valid_to
    left join factors as at_fetch
        on at_fetch.ticker = bars.ticker and bars.fetched_on >= at_fetch.valid_from and bars.fetched_on < at_fetch.valid_to
),

fiscal_periods as (
    select cik, fiscal_year, fiscal_period, value, filed
    from {{ ref('int_sec__fiscal_periods') }}
    where line_item = 'eps_diluted'
),

-- diluted EPS per ticker and period in the ticker's basis before any split (x factor(filed))
eps_base as (
    select
        companies.ticker,
        periods.cik,
        periods.fiscal_year,
        periods.fiscal_period,
        periods.value::double precision * coalesce(factors.cumulative_factor, 1) as eps
    from fiscal_periods as periods
    inner join companies on companies.cik = periods.cik
    left join factors
        on factors.ticker = companies.ticker and periods.filed >= factors.valid_from and periods.filed < factors.valid_to
),

quarter_eps as (
    select *, fiscal_year * 4 + substr(fiscal_period, 2, 1)::int as quarter_index
    from eps_base
    where fiscal_period like 'Q%'
),

eps_ttm as (
    -- quarters: four consecutive quarters' sum; FY: the year's diluted EPS
    select
        ticker, fiscal_year, fiscal_period,
        case
            when count(eps) over last_four = 4
             and quarter_index - lag(quarter_index, 3) over by_quarter = 3
            then sum(eps) over last_four
        end as eps_ttm_base
    from quarter_eps
    window
        by_quarter as (partition by ticker order by quarter_index),
        last_four as (partition by ticker order by quarter_index rows between 3 preceding and current row)
    union all
    select ticker, fiscal_year, fiscal_period, eps
    from eps_base
    where fiscal_period = 'FY'
),

ratios as (
    select cik, fiscal_year, fiscal_period, period_end, filed, revenue_ttm from {{ ref('fct_financial_ratios') }}
),

statements as (
    select cik, fiscal_year, fiscal_period, shareholders_equity from {{ ref('fct_financial_statements') }}
),

periods as (
    select ratios.*, statements.shareholders_equity
    from ratios
    left join statements using (cik, fiscal_year, fiscal_period)
),

share_facts as (
    select cik, period_end as shares_as_of, filed as shares_filed, value::double precision as shares_outstanding
    from {{ ref('stg_sec__facts') }}
    where taxonomy = 'dei' and concept = 'EntityCommonStockSharesOutstanding' and unit = 'shares'
),

-- what is known changes only on a filing day: one state per company and filing day
all_filing_days as (
    select cik, filed as known_from from periods
    union
    select cik, shares_filed from share_facts
),

filing_days as (
    {%- if window_applies() %}
    -- the window's sessions see the state of each company's last filing day on or before its start, then those
    -- of its filing days inside it: each state is built from every filing up to its day, so this is the same
    -- state as a full build's, for a few thousand filing days instead of every one in the history
    select cik, max(known_from) as known_from from all_filing_days
    where known_from <= '{{ run_var("window_start") }}'::date
    group by cik
    union all
    select cik, known_from from all_filing_days
    where known_from > '{{ run_var("window_start") }}'::date and known_from <= '{{ run_var("window_end") }}'::date
    {%- else %}
    select cik, known_from from all_filing_days
    {%- endif %}
),

-- the latest period and share count known on each filing day: an equi-join on the company and DISTINCT ON,
-- not a lateral subquery (that scans the whole CTE once per filing day: hours at the seeds' 150k periods)
period_known as (
    select distinct on (filing_days.cik, filing_days.known_from)
        filing_days.cik, filing_days.known_from,
        periods.fiscal_year, periods.fiscal_period, periods.period_end, periods.filed,
        periods.revenue_ttm, periods.shareholders_equity
    from filing_days
    left join periods on periods.cik = filing_days.cik and periods.filed <= filing_days.known_from
    order by filing_days.cik, filing_days.known_from,
        periods.period_end desc, (periods.fiscal_period = 'FY') desc, periods.filed desc
),

shares_known as (
    select distinct on (filing_days.cik, filing_days.known_from)
        filing_days.cik, filing_days.known_from, share_facts.shares_outstanding, share_facts.shares_as_of
    from filing_days
    left join share_facts on share_facts.cik = filing_days.cik and share_facts.shares_filed <= filing_days.known_from
    order by filing_days.cik, filing_days.known_from, share_facts.shares_filed desc, share_facts.shares_as_of desc
),

states as (
    select
        period.*,
        coalesce(lead(period.known_from) over (partition by period.cik order by period.known_from),
                 '9999-12-31'::date) as known_until,
        shares.shares_outstanding, shares.shares_as_of
    from period_known as period
    inner join shares_known as shares using (cik, known_from)
),

joined as (
    select
        priced.ticker,
        priced.cik,
        priced.trade_date,
        priced.close,
        priced.split_factor,
        states.fiscal_year,
        states.fiscal_period,
        states.period_end,
        states.filed,
        eps_ttm.eps_ttm_base / priced.split_factor as eps_ttm,
        states.shares_outstanding * priced.split_factor / coalesce(at_shares.cumulative_factor, 1)
            as shares_outstanding,
        states.shares_as_of,
        states.revenue_ttm::double precision as revenue_ttm,
        states.shareholders_equity::double precision as shareholders_equity
    from priced
    inner join states
        on states.cik = priced.cik
        and priced.trade_date >= states.known_from and priced.trade_date < states.known_until
    left join eps_ttm
        on eps_ttm.ticker = priced.ticker
        and eps_ttm.fiscal_year = states.fiscal_year and eps_ttm.fiscal_period = states.fiscal_period
    left join factors as at_shares
        on at_shares.ticker = priced.ticker
        and states.shares_as_of >= at_shares.valid_from and states.shares_as_of < at_shares.valid_to
),

valued as (
    select *, close * shares_outstanding as market_cap
    from joined
)

select
    ticker,
    cik,
    trade_date,
    close,
    split_factor,
    fiscal_year,
    fiscal_period,
    period_end,
    filed,
    eps_ttm,
    shares_outstanding,
    shares_as_of,
    {{ safe_divide('shareholders_equity', 'shares_outstanding') }} as book_value_per_share,
    revenue_ttm,
    shareholders_equity,
    market_cap,
    case when eps_ttm > 0 then {{ safe_divide('close', 'eps_ttm') }} end as pe_ratio,
    case when shareholders_equity > 0 then {{ safe_divide('market_cap', 'shareholders_equity') }} end as pb_ratio,
    case when revenue_ttm > 0 then {{ safe_divide('market_cap', 'revenue_ttm') }} end as ps_ratio
from valued
