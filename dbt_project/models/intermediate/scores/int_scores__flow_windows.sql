{{ config(**score_date_incremental("scores_selected_tickers_in('ticker')")) }}
-- Trailing calendar-day windows ending on each score day, from row-level facts dated when they became
-- public: insider open-market buying net of selling (Form 4 P/S codes, by filing date) over 30 and 90
-- days, and news sentiment (by publication date) over 7 and 30 days. Daily sums are interleaved with the
-- score rows and summed with RANGE frames, so each score row sees exactly the events of its window.
-- Incremental on the US sessions (tag daily): a run writes its window's score days, reading only the facts
-- those days' windows reach (89 days before the window's start); the first build covers every score day.
-- depends_on: {{ ref('dim_company') }}
with panel as (
    select ticker, score_date from {{ ref('int_scores__panel') }}
    where {{ in_window('score_date') }} and {{ scores_selected_tickers_in('ticker') }}
),

insider_days as (
    select
        ticker,
        filing_date as day,
        sum(case when acquired_disposed = 'A' then total_value else -total_value end) as net_value,
        count(*) as trades
    from {{ ref('fct_insider_trades') }}
    where transaction_code in ('P', 'S') and not is_derivative and ticker is not null and total_value is not null
      and {{ in_window_reach('filing_date', 89) }}
    group by ticker, filing_date
),

news_days as (
    select ticker, published_date as day, sum(sentiment_score) as sentiment_sum, count(*) as articles
    from {{ ref('fct_news_sentiment') }}
    where sentiment_score is not null and {{ in_window_reach('published_date', 29) }}
    group by ticker, published_date
),

stream as (
    select ticker, score_date as day, true as is_score, null::numeric as net_value, 0 as trades,
           null::double precision as sentiment_sum, 0 as articles
    from panel
    union all
    select ticker, day, false, net_value, trades, null, 0 from insider_days
    union all
    select ticker, day, false, null, 0, sentiment_sum, articles from news_days
),

windows as (
    select
        ticker, day, is_score,
        sum(net_value) over (by_day range between interval '29 days' preceding and current row) as insider_net_value_30d,
        sum(trades) over (by_day range between interval '29 days' preceding and current row) as insider_trades_30d,
        sum(net_value) over (by_day range between interval '89 days' preceding and current row) as insider_net_value_90d,
        sum(trades) over (by_day range between interval '89 days' preceding and current row) as insider_trades_90d,
        sum(sentiment_sum) over (by_day range between interval '6 days' preceding and current row) as sentiment_sum_7d,
        sum(articles) over (by_day range between interval '6 days' preceding and current row) as articles_7d,
        sum(sentiment_sum) over (by_day range between interval '29 days' preceding and current row) as sentiment_sum_30d,
        sum(articles) over (by_day range between interval '29 days' preceding and current row) as articles_30d
    from stream
    window by_day as (partition by ticker order by day)
)

select distinct on (ticker, day)
    ticker,
    day as score_date,
    insider_net_value_30d,
    insider_trades_30d::bigint as insider_trades_30d,
    insider_net_value_90d,
    insider_trades_90d::bigint as insider_trades_90d,
    articles_7d::bigint as articles_7d,
    sentiment_sum_7d / nullif(articles_7d, 0) as news_avg_7d,
    articles_30d::bigint as articles_30d,
    sentiment_sum_30d / nullif(articles_30d, 0) as news_avg_30d
from windows
where is_score
order by ticker, day
