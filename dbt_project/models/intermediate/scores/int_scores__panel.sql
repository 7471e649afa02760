{{ config(**score_date_incremental("scores_selected('ticker', 'sector')")) }}
-- The score grid: every universe ticker on every US trading session (the sessions fct_daily_prices holds),
-- with its sector and that session's close (NULL when the ticker did not trade: it cannot be scored then).
-- Incremental on the US sessions (tag daily): a run writes only its window's sessions (macro in_window), after
-- its pre-hook deleted them; the first build and a plain build cover every session fct_daily_prices holds.
-- A one-ticker or one-sector run (macro scores_selected) rewrites only those tickers' rows.
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
left join (select * from {{ ref('fct_daily_prices') }} where {{ in_window('trade_date') }}) as prices
    on prices.ticker = company.ticker and prices.trade_date = sessions.score_date
where {{ scores_selected('company.ticker', 'company.sector') }}
