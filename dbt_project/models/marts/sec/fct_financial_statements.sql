{%- set line_items = [
    'revenue', 'cost_of_revenue', 'gross_profit', 'operating_expenses', 'operating_income', 'interest_expense', 'net_income',
    'eps_basic', 'eps_diluted', 'total_assets', 'total_liabilities', 'liabilities_and_equity',
    'shareholders_equity', 'total_equity', 'temporary_equity', 'current_assets', 'current_liabilities', 'inventory', 'cash_and_equivalents',
    'short_term_debt', 'long_term_debt', 'operating_cash_flow', 'investing_cash_flow',
    'financing_cash_flow', 'capex'
] -%}

with periods as (
    select * from {{ ref('int_sec__fiscal_periods') }}
),

-- One ticker names each company: its primary ticker when the universe holds it, else the first of its
-- share classes the universe holds (VP_TICKERS=GOOG keeps Alphabet, under GOOG). Every share class maps
-- to its company through dim_company (ticker -> cik).
companies as (
    select distinct on (cik) cik, ticker
    from {{ ref('stg_sec__companies') }}
    order by cik, is_primary_ticker desc, ticker
),

wide as (
    select
        cik,
        fiscal_year,
        fiscal_period,
        max(period_end) as period_end,
        -- the day every number in the row was public: the latest filing that contributed
        max(filed) as filed,
        (array_agg(form order by filed desc, accession desc))[1] as form,
        bool_or(is_derived) as has_derived_values,
        {%- for item in line_items %}
        max(value) filter (where line_item = '{{ item }}') as {{ item }}_reported{{ "," if not loop.last }}
        {%- endfor %}
    from periods
    group by cik, fiscal_year, fiscal_period
)

select
    companies.ticker,
    wide.cik,
    wide.fiscal_year,
    wide.fiscal_period,
    wide.period_end,
    wide.filed,
    wide.form,
    wide.has_derived_values,
    revenue_reported as revenue,
    cost_of_revenue_reported as cost_of_revenue,
    coalesce(gross_profit_reported, revenue_reported - cost_of_revenue_reported) as gross_profit,
    coalesce(
        operating_expenses_reported,
        coalesce(gross_profit_reported, revenue_reported - cost_of_revenue_reported) - operating_income_reported
    ) as operating_expenses,
    operating_income_reported as operating_income,
    interest_expense_reported as interest_expense,
    net_income_reported as net_income,
    eps_basic_reported as eps_basic,
    eps_diluted_reported as eps_diluted,
    total_assets_reported as total_assets,
    -- many filers never tag total liabilities: derive it from the balance-sheet total
    coalesce(
        total_liabilities_reported,
        liabilities_and_equity_reported - coalesce(total_equity_reported, shareholders_equity_reported)
        - coalesce(temporary_equity_reported, 0)
    ) as total_liabilities,
    shareholders_equity_reported as shareholders_equity,
    coalesce(total_equity_reported, shareholders_equity_reported) as total_equity,
    -- redeemable (e.g. pre-IPO convertible preferred) stock sits between liabilities and equity
    temporary_equity_reported as temporary_equity,
    current_assets_reported as current_assets,
    current_liabilities_reported as current_liabilities,
    inventory_reported as inventory,
    cash_and_equivalents_reported as cash_and_equivalents,
    short_term_debt_reported as short_term_debt,
    long_term_debt_reported as long_term_debt,
    operating_cash_flow_reported as operating_cash_flow,
    investing_cash_flow_reported as investing_cash_flow,
    financing_cash_flow_reported as financing_cash_flow,
    capex_reported as capex,
    operating_cash_flow_reported - capex_reported as free_cash_flow
from wide
inner join companies on companies.cik = wide.cik
