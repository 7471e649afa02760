-- Ratios per company and fiscal period, every operand from the same aligned period.
-- Flow operands are trailing twelve months: for FY rows the fiscal year itself, for quarter rows
-- the sum of that quarter and the three before it (NULL unless all four exist and are consecutive).
-- Balance operands are the period-end balance. Return ratios are NULL when equity or invested
-- capital is not positive (a negative denominator gives a meaningless sign).
{% set flows = ['revenue', 'gross_profit', 'operating_income', 'net_income'] %}

with statements as (
    select * from {{ ref('fct_financial_statements') }}
),

quarters as (
    select
        *,
        fiscal_year * 4 + substr(fiscal_period, 2, 1)::int as quarter_index
    from statements
    where fiscal_period like 'Q%'
),

quarter_ttm as (
    select
        cik, fiscal_year, fiscal_period,
        {%- for item in flows %}
        case
            when count({{ item }}) over last_four = 4
             and quarter_index - lag(quarter_index, 3) over by_quarter = 3
            then sum({{ item }}) over last_four
        end as {{ item }}_ttm{{ "," if not loop.last }}
        {%- endfor %}
    from quarters
    window
        by_quarter as (partition by cik order by quarter_index),
        last_four as (partition by cik order by quarter_index rows between 3 preceding and current row)
),

year_ttm as (
    select
        cik, fiscal_year, fiscal_period,
        {%- for item in flows %}
        {{ item }} as {{ item }}_ttm{{ "," if not loop.last }}
        {%- endfor %}
    from statements
    where fiscal_period = 'FY'
),

ttm as (
    select * from quarter_ttm
    union all
    select * from year_ttm
),

joined as (
    select
        statements.*,
        {%- for item in flows %}
        ttm.{{ item }}_ttm,
        {%- endfor %}
        case when statements.short_term_debt is null and statements.long_term_debt is null then null
             else coalesce(statements.short_term_debt, 0) + coalesce(statements.long_term_debt, 0)
        end as total_debt
    from statements
    inner join ttm using (cik, fiscal_year, fiscal_period)
)

select
    ticker,
    cik,
    fiscal_year,
    fiscal_period,
    period_end,
    filed,
    revenue_ttm,
    net_income_ttm,
    total_debt,
    {{ safe_divide('total_debt', 'shareholders_equity') }} as debt_to_equity,
    {{ safe_divide('current_assets', 'current_liabilities') }} as current_ratio,
    {{ safe_divide('current_assets - coalesce(inventory, 0)', 'current_liabilities') }} as quick_ratio,
    case when shareholders_equity > 0 then {{ safe_divide('net_income_ttm', 'shareholders_equity') }} end as roe,
    {{ safe_divide('net_income_ttm', 'total_assets') }} as roa,
    -- NOPAT at the 21% US statutory rate over equity plus debt net of cash
    case when shareholders_equity + coalesce(total_debt, 0) - coalesce(cash_and_equivalents, 0) > 0 then
        {{ safe_divide('operating_income_ttm * 0.79',
                       'shareholders_equity + coalesce(total_debt, 0) - coalesce(cash_and_equivalents, 0)') }}
    end as roic,
    {{ safe_divide('gross_profit_ttm', 'revenue_ttm') }} as gross_margin,
    {{ safe_divide('operating_income_ttm', 'revenue_ttm') }} as operating_margin,
    {{ safe_divide('net_income_ttm', 'revenue_ttm') }} as net_margin
from joined
