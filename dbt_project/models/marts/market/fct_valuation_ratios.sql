-- Price-based valuation ratios per company and fiscal period, point in time. The price is the first close
-- on or after the day the row's statement was filed (`filed`: the day its last number became public), so
-- a ratio never uses a price from before the numbers were known. A close more than
-- {{ var('valuation_max_price_lag_days', 7) }} calendar days after `filed` is not taken (no price history then).
-- Shares: the latest dei EntityCommonStockSharesOutstanding filed on or before `filed`.
-- One row per fct_financial_ratios row (left joins): price columns NULL where no close qualifies.
{% set max_lag = var('valuation_max_price_lag_days', 7) %}

with ratios as (
    select * from {{ ref('fct_financial_ratios') }}
),

statements as (
    select cik, fiscal_year, fiscal_period, eps_diluted, shareholders_equity
    from {{ ref('fct_financial_statements') }}
),

quarter_eps as (
    select
        cik, fiscal_year, fiscal_period, eps_diluted,
        fiscal_year * 4 + substr(fiscal_period, 2, 1)::int as quarter_index
    from statements
    where fiscal_period like 'Q%'
),

eps_ttm as (
    -- quarters: the sum of four consecutive quarters' diluted EPS; FY rows: the year's diluted EPS
    select
        cik, fiscal_year, fiscal_period,
        case
            when count(eps_diluted) over last_four = 4
             and quarter_index - lag(quarter_index, 3) over by_quarter = 3
            then sum(eps_diluted) over last_four
        end as eps_ttm
    from quarter_eps
    window
        by_quarter as (partition by cik order by quarter_index),
        last_four as (partition by cik order by quarter_index rows between 3 preceding and current row)
    union all
    select cik, fiscal_year, fiscal_period, eps_diluted
    from statements
    where fiscal_period = 'FY'
),

prices as (
    select ticker, trade_date, close from {{ ref('fct_daily_prices') }}
),

candidate_days as (
    select ratios.cik, ratios.fiscal_year, ratios.fiscal_period, ratios.ticker,
           (ratios.filed + lag_days)::date as trade_date
    from ratios
    cross join generate_series(0, {{ max_lag }}) as lag_days
),

first_close as (
    select distinct on (candidate_days.cik, candidate_days.fiscal_year, candidate_days.fiscal_period)
        candidate_days.cik, candidate_days.fiscal_year, candidate_days.fiscal_period,
        prices.trade_date as price_date,
        prices.close
    from candidate_days
    inner join prices
        on prices.ticker = candidate_days.ticker and prices.trade_date = candidate_days.trade_date
    order by candidate_days.cik, candidate_days.fiscal_year, candidate_days.fiscal_period, prices.trade_date
),

share_facts as (
    select cik, period_end as shares_as_of, filed as shares_filed, value::double precision as shares_outstanding
    from {{ ref('stg_sec__facts') }}
    where taxonomy = 'dei' and concept = 'EntityCommonStockSharesOutstanding' and unit = 'shares'
),

shares_known as (
    select distinct on (ratios.cik, ratios.fiscal_year, ratios.fiscal_period)
        ratios.cik, ratios.fiscal_year, ratios.fiscal_period,
        share_facts.shares_outstanding,
        share_facts.shares_as_of
    from ratios
    inner join share_facts
        on share_facts.cik = ratios.cik and share_facts.shares_filed <= ratios.filed
    order by ratios.cik, ratios.fiscal_year, ratios.fiscal_period,
             share_facts.shares_filed desc, share_facts.shares_as_of desc
),

joined as (
    select
        ratios.ticker,
        ratios.cik,
        ratios.fiscal_year,
        ratios.fiscal_period,
        ratios.period_end,
        ratios.filed,
        first_close.price_date,
        first_close.close,
        shares_known.shares_outstanding,
        shares_known.shares_as_of,
        eps_ttm.eps_ttm,
        ratios.revenue_ttm,
        statements.shareholders_equity,
        first_close.close * shares_known.shares_outstanding as market_cap
    from ratios
    left join statements using (cik, fiscal_year, fiscal_period)
    left join eps_ttm using (cik, fiscal_year, fiscal_period)
    left join first_close using (cik, fiscal_year, fiscal_period)
    left join shares_known using (cik, fiscal_year, fiscal_period)
)

select
    *,
    case when eps_ttm > 0 then {{ safe_divide('close', 'eps_ttm') }} end as pe_ratio,
    case when shareholders_equity > 0 then {{ safe_divide('market_cap', 'shareholders_equity') }} end as pb_ratio,
    case when revenue_ttm > 0 then {{ safe_divide('market_cap', 'revenue_ttm') }} end as ps_ratio
from joined
