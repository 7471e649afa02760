-- Which statement figures were public on each day, as validity intervals per company: a fiscal period's
-- row (fct_financial_statements + its TTM ratios) becomes the company's current figures on the day it was
-- `filed` and stays so until a later period is filed. Score day D joins on known_from <= D < known_until.
-- Comparatives are taken only from rows already public when the current row was filed.
-- Also here: growth measured at each fiscal year (year over year, and revenue CAGR over up to 5 years),
-- and interest coverage = operating income TTM / interest expense TTM (TTM as in fct_financial_ratios: the
-- fiscal year, or four consecutive quarters), NULL without a positive interest expense (excluded, not 0).
with statements as (
    select
        s.cik, s.fiscal_year, s.fiscal_period, s.period_end, s.filed,
        s.revenue, s.net_income, s.eps_diluted, s.free_cash_flow, s.shareholders_equity,
        s.current_assets, s.current_liabilities, s.operating_income, s.interest_expense,
        r.revenue_ttm, r.net_income_ttm, r.total_debt, r.debt_to_equity, r.current_ratio,
        r.gross_margin, r.operating_margin, r.net_margin, r.roe, r.roa
    from (select * from {{ ref('fct_financial_statements') }}) as s
    inner join (select * from {{ ref('fct_financial_ratios') }}) as r using (cik, fiscal_year, fiscal_period)
),

quarters as (
    select cik, fiscal_year, fiscal_period, operating_income, interest_expense,
           fiscal_year * 4 + substr(fiscal_period, 2, 1)::int as quarter_index
    from statements
    where fiscal_period like 'Q%'
),

coverage_ttm as (
    select
        cik, fiscal_year, fiscal_period,
        case when quarter_index - lag(quarter_index, 3) over by_quarter = 3 and count(operating_income) over last_four = 4
             then sum(operating_income) over last_four end as operating_income_ttm,
        case when quarter_index - lag(quarter_index, 3) over by_quarter = 3 and count(interest_expense) over last_four = 4
             then sum(interest_expense) over last_four end as interest_expense_ttm
    from quarters
    window
        by_quarter as (partition by cik order by quarter_index),
        last_four as (partition by cik order by quarter_index rows between 3 preceding and current row)
    union all
    select cik, fiscal_year, fiscal_period, operating_income, interest_expense
    from statements
    where fiscal_period = 'FY'
),

coverage as (
    select cik, fiscal_year, fiscal_period,
           case when interest_expense_ttm > 0 then (operating_income_ttm / interest_expense_ttm)::double precision
           end as interest_coverage
    from coverage_ttm
),

years as materialized (
    select * from statements where fiscal_period = 'FY'
),

base_years as materialized (
    -- for each fiscal year, the earliest year up to five back that was public then, with revenue
    -- (CAGR over as much history as exists); an equi-join on cik, a handful of rows per company
    select distinct on (cur.cik, cur.fiscal_year)
        cur.cik, cur.fiscal_year, b.fiscal_year as base_year, b.revenue as base_revenue
    from years as cur
    inner join years as b
        on b.cik = cur.cik and b.fiscal_year between cur.fiscal_year - 5 and cur.fiscal_year - 1
        and b.filed <= cur.filed and b.revenue > 0
    order by cur.cik, cur.fiscal_year, b.fiscal_year
),

growth as materialized (
    -- per fiscal year: growth over the prior year(s) public by the day this year was filed
    select
        cur.cik, cur.fiscal_year,
        {{ safe_divide('cur.revenue - prev.revenue', 'abs(prev.revenue)') }} as revenue_growth,
        {{ safe_divide('cur.eps_diluted - prev.eps_diluted', 'abs(prev.eps_diluted)') }} as eps_growth,
        {{ safe_divide('cur.free_cash_flow - prev.free_cash_flow', 'abs(prev.free_cash_flow)') }} as fcf_growth,
        case when cur.revenue > 0 and base.base_revenue > 0 then
            power((cur.revenue / base.base_revenue)::double precision, 1.0 / (cur.fiscal_year - base.base_year)) - 1
        end as revenue_cagr,
        cur.fiscal_year - base.base_year as cagr_years
    from years as cur
    left join years as prev
        on prev.cik = cur.cik and prev.fiscal_year = cur.fiscal_year - 1 and prev.filed <= cur.filed
    left join base_years as base on base.cik = cur.cik and base.fiscal_year = cur.fiscal_year
),

ordered as (
    -- a row becomes current when it is filed, unless a later period was already public (a late restatement
    -- of an old period does not replace newer figures); same-day ties: FY after its Q4
    select
        statements.*,
        max(period_end) over (
            partition by cik order by filed, period_end, fiscal_period = 'FY'
            rows between unbounded preceding and 1 preceding
        ) as newest_before
    from statements
),

current_rows as (
    select * from ordered where newest_before is null or period_end >= newest_before
),

latest_growth as (
    -- the growth figures of the latest fiscal year public when each row was filed
    select distinct on (current_rows.cik, current_rows.fiscal_year, current_rows.fiscal_period)
        current_rows.cik, current_rows.fiscal_year, current_rows.fiscal_period,
        growth.revenue_growth, growth.eps_growth, growth.fcf_growth, growth.revenue_cagr, growth.cagr_years
    from current_rows
    inner join years on years.cik = current_rows.cik and years.filed <= current_rows.filed
    inner join growth on growth.cik = years.cik and growth.fiscal_year = years.fiscal_year
    order by current_rows.cik, current_rows.fiscal_year, current_rows.fiscal_period, years.fiscal_year desc
)

select
    current_rows.cik,
    current_rows.fiscal_year,
    current_rows.fiscal_period,
    current_rows.period_end,
    current_rows.filed as known_from,
    lead(current_rows.filed) over (
        partition by current_rows.cik order by current_rows.filed, current_rows.period_end, current_rows.fiscal_period = 'FY'
    ) as known_until,
    current_rows.revenue_ttm,
    current_rows.net_income_ttm,
    current_rows.shareholders_equity,
    current_rows.total_debt,
    current_rows.debt_to_equity,
    current_rows.current_ratio,
    coverage.interest_coverage,
    current_rows.gross_margin,
    current_rows.operating_margin,
    current_rows.net_margin,
    current_rows.roe,
    current_rows.roa,
    latest_growth.revenue_growth,
    latest_growth.revenue_cagr,
    latest_growth.cagr_years,
    latest_growth.eps_growth,
    latest_growth.fcf_growth
from current_rows
left join latest_growth using (cik, fiscal_year, fiscal_period)
left join coverage using (cik, fiscal_year, fiscal_period)
