{{ config(**score_date_incremental("scores_selected('ticker', 'sector')")) }}
-- Every factor's raw measures per universe ticker and US session, each as public on that day (point in
-- time): statements by `filed`, ratings by date, 13F by filing deadline, Form 4 by filing date, news by
-- publication date, prices and indicators up to the day.
-- Market cap, shares outstanding and the value multiples are the session's fct_valuation_ratios row: close
-- and share count in that day's as-traded basis, statements and share counts filed on or before the day.
-- `close` here stays fct_daily_prices' split-adjusted close: the technicals and analyst targets share its
-- basis, but close x a filing's share count would be off by the split ratio before a split.
-- Every ranked measure is oriented so that higher is better (e.g. earnings yield rather than P/E, so a
-- loss ranks below every profit instead of looking cheap). Only the window's sessions are written.
with panel as (
    select * from {{ ref('int_scores__panel') }}
    where {{ in_window('score_date') }}  -- the panel table holds every session: write only the window's
),

statements as (
    select * from {{ ref('int_scores__statements_known') }}
),

valuation as (
    select * from {{ ref('fct_valuation_ratios') }}
    where {{ in_window('trade_date') }}
),

institutional as (
    select * from {{ ref('int_scores__institutional_known') }}
),

joined as (
    select
        panel.ticker,
        panel.score_date,
        panel.cik,
        panel.sector,
        panel.close,
        valuation.shares_outstanding,
        valuation.market_cap,
        valuation.pe_ratio,
        valuation.pb_ratio,
        valuation.ps_ratio,
        -- the yields ranked: each operand from the valuation row, so in one share basis
        {{ safe_divide('valuation.eps_ttm', 'valuation.close') }} as earnings_yield,
        {{ safe_divide('valuation.shareholders_equity', 'valuation.market_cap') }} as book_yield,
        {{ safe_divide('valuation.revenue_ttm', 'valuation.market_cap') }} as sales_yield,
        statements.fiscal_year as statement_fiscal_year,
        statements.fiscal_period as statement_fiscal_period,
        statements.known_from as statement_filed,
        statements.shareholders_equity,
        statements.total_debt,
        statements.revenue_growth,
        statements.revenue_cagr,
        statements.cagr_years,
        statements.eps_growth,
        statements.fcf_growth,
        statements.gross_margin,
        statements.operating_margin,
        statements.net_margin,
        statements.roe,
        statements.roa,
        statements.debt_to_equity,
        statements.current_ratio,
        statements.interest_coverage,
        tech.return_1m,
        tech.return_3m,
        tech.return_6m,
        tech.return_12m,
        tech.rsi_14,
        {{ safe_divide('tech.macd_hist', 'panel.close') }} as macd_hist_pct,
        {{ safe_divide('panel.close', 'tech.sma_50') }} - 1 as price_vs_sma50,
        {{ safe_divide('panel.close', 'tech.sma_200') }} - 1 as price_vs_sma200,
        analyst.analyst_firms,
        analyst.mean_rating,
        analyst.mean_price_target,
        {{ safe_divide('analyst.mean_price_target', 'panel.close') }} - 1 as target_upside,
        flows.insider_trades_90d,
        flows.insider_net_value_30d,
        flows.insider_net_value_90d,
        institutional.report_period as institutional_report_period,
        institutional.holders as institutional_holders,
        -- 13F positions moved from the quarter end's share basis to the day's: x factor(day) / factor(quarter end)
        {{ safe_divide('institutional.shares_held * valuation.split_factor / institutional.split_factor',
                       'valuation.shares_outstanding') }} as institutional_pct,
        institutional.shares_held_change_qoq as institutional_change_qoq,
        flows.articles_7d,
        flows.news_avg_7d,
        flows.articles_30d,
        flows.news_avg_30d
    from panel
    left join statements
        on statements.cik = panel.cik and statements.known_from <= panel.score_date
        and (statements.known_until is null or panel.score_date < statements.known_until)
    left join valuation
        on valuation.ticker = panel.ticker and valuation.trade_date = panel.score_date
    left join institutional
        on institutional.ticker = panel.ticker and institutional.known_from <= panel.score_date
        and (institutional.known_until is null or panel.score_date < institutional.known_until)
    left join (select * from {{ ref('fct_technical_indicators') }}) as tech
        on tech.ticker = panel.ticker and tech.trade_date = panel.score_date
    left join (select * from {{ ref('int_scores__analyst_views') }}) as analyst
        on analyst.ticker = panel.ticker and analyst.score_date = panel.score_date
    left join (select * from {{ ref('int_scores__flow_windows') }}) as flows
        on flows.ticker = panel.ticker and flows.score_date = panel.score_date
)

select
    ticker,
    score_date,
    cik,
    sector,
    close,
    shares_outstanding,
    market_cap,
    statement_fiscal_year,
    statement_fiscal_period,
    statement_filed,
    -- value: displayed multiples (fct_valuation_ratios: NULL when the denominator is not positive) and the
    -- ranked yields (earnings yield = TTM diluted EPS / close: a loss ranks below every profit)
    pe_ratio,
    pb_ratio,
    ps_ratio,
    earnings_yield,
    book_yield,
    sales_yield,
    -- growth
    revenue_growth,
    revenue_cagr,
    cagr_years,
    eps_growth,
    fcf_growth,
    -- profitability
    gross_margin,
    operating_margin,
    net_margin,
    roe,
    roa,
    -- financial health: equity's share of equity + debt orders like debt/equity reversed; negative equity ranks last
    debt_to_equity,
    case
        when shareholders_equity <= 0 then -1.0
        when total_debt is not null then {{ safe_divide('shareholders_equity', 'shareholders_equity + total_debt') }}
    end as equity_to_capital,
    current_ratio,
    interest_coverage,
    -- momentum
    return_1m,
    return_3m,
    return_6m,
    return_12m,
    -- analyst consensus
    analyst_firms,
    mean_rating,
    mean_price_target,
    target_upside,
    -- insider activity: open-market net buying as a share of market cap (no P/S trade in 90 days: no data)
    insider_trades_90d,
    case when insider_trades_90d > 0 then {{ safe_divide('coalesce(insider_net_value_30d, 0)', 'market_cap') }} end
        as insider_net_30d_pct_mcap,
    case when insider_trades_90d > 0 then {{ safe_divide('insider_net_value_90d', 'market_cap') }} end
        as insider_net_90d_pct_mcap,
    -- institutional
    institutional_report_period,
    institutional_holders,
    institutional_pct,
    institutional_change_qoq,
    -- news sentiment
    articles_7d,
    news_avg_7d,
    articles_30d,
    news_avg_30d,
    -- technical
    rsi_14,
    macd_hist_pct,
    price_vs_sma50,
    price_vs_sma200,
    case when close is null then 'no close on the score date' end as unscorable_reason
from joined
