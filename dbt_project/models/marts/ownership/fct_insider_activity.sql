{{ config(
    materialized='incremental',
    unique_key=['ticker', 'as_of_date'],
    incremental_strategy='delete+insert',
    tags=['daily'],
    pre_hook="{{ delete_window('as_of_date') }}",
) }}
-- Net insider buying and selling per ticker and as-of date: one row per ticker and NYSE session
-- (int_market__us_sessions) from the ticker's first Form 4 filing on, over the 30 and 90 calendar days
-- ending on `as_of_date`. Open-market (or private) purchases (code P) and sales (code S) of non-derivative
-- securities only; grants, option exercises, tax withholding and gifts are not buying or selling.
-- Point in time: only trades FILED by as_of_date count, so a row for a past date never changes when a
-- later filing (even one reporting an older trade) arrives. A window of N days holds transaction dates in
-- (as_of_date - N, as_of_date].
-- Sessions: the run's window (in_window) from each ticker's first filing; without a window, up to the
-- latest filing date in the data. Trades are read whole (the windows look back 90 days).
{%- set windows = [30, 90] %}

with trades as (
    select * from {{ ref('fct_insider_trades') }}
    where ticker is not null
),

tickers as (
    select ticker, max(cik) as cik, min(filing_date) as first_filed
    from trades
    group by ticker
),

sessions as (
    {{ as_of_sessions("(select max(filing_date) from trades)") }}
),

filing_days as (
    select
        ticker,
        filing_date,
        coalesce(lead(filing_date) over (partition by ticker order by filing_date), '9999-12-31'::date) as next_filing_date
    from (select distinct ticker, filing_date from trades) as days
),

grid as (
    select tickers.ticker, tickers.cik, sessions.as_of_date, filing_days.filing_date as latest_filing_date
    from tickers
    inner join sessions on sessions.as_of_date >= tickers.first_filed
    inner join filing_days
        on filing_days.ticker = tickers.ticker
        and sessions.as_of_date >= filing_days.filing_date and sessions.as_of_date < filing_days.next_filing_date
),

open_market as (
    select
        grid.ticker,
        grid.as_of_date,
        trades.transaction_code,
        trades.shares,
        trades.total_value,
        trades.insider_cik,
        grid.as_of_date - trades.transaction_date as days_before
    from grid
    inner join trades
        on trades.ticker = grid.ticker
        and trades.filing_date <= grid.as_of_date
        and trades.transaction_date <= grid.as_of_date
        and trades.transaction_date > grid.as_of_date - {{ windows | max }}
    where not trades.is_derivative
        and trades.transaction_code in ('P', 'S')
)

select
    grid.ticker,
    grid.cik,
    grid.as_of_date,
    grid.latest_filing_date
    {%- for days in windows %},
    coalesce(sum(shares) filter (where transaction_code = 'P' and days_before < {{ days }}), 0) as shares_bought_{{ days }}d,
    coalesce(sum(shares) filter (where transaction_code = 'S' and days_before < {{ days }}), 0) as shares_sold_{{ days }}d,
    coalesce(sum(case transaction_code when 'P' then shares else -shares end)
        filter (where days_before < {{ days }}), 0) as net_shares_{{ days }}d,
    coalesce(sum(total_value) filter (where transaction_code = 'P' and days_before < {{ days }}), 0) as value_bought_{{ days }}d,
    coalesce(sum(total_value) filter (where transaction_code = 'S' and days_before < {{ days }}), 0) as value_sold_{{ days }}d,
    coalesce(sum(case transaction_code when 'P' then total_value else -total_value end)
        filter (where days_before < {{ days }}), 0) as net_value_{{ days }}d,
    count(open_market.days_before) filter (where transaction_code = 'P' and days_before < {{ days }}) as buy_trades_{{ days }}d,
    count(open_market.days_before) filter (where transaction_code = 'S' and days_before < {{ days }}) as sell_trades_{{ days }}d,
    count(distinct insider_cik) filter (where days_before < {{ days }}) as insiders_{{ days }}d
    {%- endfor %}
from grid
left join open_market using (ticker, as_of_date)
group by grid.ticker, grid.cik, grid.as_of_date, grid.latest_filing_date
