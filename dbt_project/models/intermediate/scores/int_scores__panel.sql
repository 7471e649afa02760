-- The score grid: every universe ticker on every US trading session (the sessions fct_daily_prices holds),
-- with its sector and that session's close (NULL when the ticker did not trade: it cannot be scored then).
-- Only the sessions inside the run's window are written (macro in_window); a plain build covers them all.
-- A one-ticker or one-sector run (macro scores_selected) holds only those tickers.
with sessions as (
    select distinct trade_date as score_date from {{ ref('fct_daily_prices') }}
    where {{ in_window('trade_date') }}
)

select
    company.ticker,
    company.cik,
    company.sector,
    sessions.score_date,
    prices.close
from (select * from {{ ref('dim_company') }}) as company
cross join sessions
left join (select * from {{ ref('fct_daily_prices') }}) as prices
    on prices.ticker = company.ticker and prices.trade_date = sessions.score_date
where {{ scores_selected('company.ticker', 'company.sector') }}
