-- Targets with the latest close; tags aggregated per ticker.
with targets as (
    select * from {{ ref('stg_portfolio__target_prices') }}
),
tags as (
    select portfolio_id, ticker, string_agg(tag, ',' order by tag) as tags from {{ ref('stg_portfolio__tags') }} group by 1, 2
),
latest as (
    -- the targets' tickers only: the latest close of every ticker sorts the whole price history
    select distinct on (ticker) ticker, close, trade_date from {{ ref('fct_daily_prices') }}
    where ticker in (select ticker from targets)
    order by ticker, trade_date desc
)
select
    targets.portfolio_id,
    targets.ticker,
    targets.target_price,
    targets.stop_price,
    targets.set_on,
    latest.close as last_close,
    latest.trade_date as last_trade_date,
    targets.target_price / nullif(latest.close, 0) - 1 as upside,
    latest.close >= targets.target_price as target_hit,
    latest.close <= targets.stop_price as stop_hit,
    tags.tags
from targets
left join latest on latest.ticker = targets.ticker
left join tags on tags.portfolio_id = targets.portfolio_id and tags.ticker = targets.ticker
