-- Does the score rank? Per score date, scope (all tickers, then each sector) and signal (the overall score
-- and each factor score): the information coefficient, i.e. the Spearman rank correlation of the signal with
-- the forward {{ var('scores_forward_sessions', 21) }}-session return from the close of the score date
-- (tied values share their average rank, as scipy.stats.spearmanr), the mean forward return of each quintile
-- with ties ranked first (alphalens: rank(method='first') by ticker order, then qcut into 5), the top minus
-- bottom quintile spread, and the mean, standard deviation and IR (mean / std) of the IC over the last
-- {{ var('scores_ic_window', 63) }} score dates. Dates whose forward return is not known yet have no row.
{% set horizon = var('scores_forward_sessions', 21) %}
{% set ic_window = var('scores_ic_window', 63) %}
with sessions as (
    select trade_date, row_number() over (order by trade_date) as session_index
    from (select distinct trade_date from {{ ref('fct_daily_prices') }}) as days
),

forward as (
    select
        start_price.ticker,
        start_price.trade_date as score_date,
        end_price.close / nullif(start_price.close, 0) - 1 as forward_return
    from (select * from {{ ref('fct_daily_prices') }}) as start_price
    inner join sessions as s0 on s0.trade_date = start_price.trade_date
    inner join sessions as s1 on s1.session_index = s0.session_index + {{ horizon }}
    inner join (select * from {{ ref('fct_daily_prices') }}) as end_price
        on end_price.ticker = start_price.ticker and end_price.trade_date = s1.trade_date
),

signals as (
    select scores.score_date, scores.ticker, scores.sector, signal.name as signal, signal.value, forward.forward_return
    from (select * from {{ ref('fct_ic_scores') }}) as scores
    inner join forward using (ticker, score_date)
    cross join lateral (values
        ('overall_score', overall_score::double precision),
        ('value', value_score),
        ('growth', growth_score),
        ('profitability', profitability_score),
        ('financial_health', financial_health_score),
        ('momentum', momentum_score),
        ('analyst_consensus', analyst_consensus_score),
        ('insider_activity', insider_activity_score),
        ('institutional', institutional_score),
        ('news_sentiment', news_sentiment_score),
        ('technical', technical_score)
    ) as signal(name, value)
    where signal.value is not null and forward.forward_return is not null
),

scoped as (
    select score_date, 'all' as scope, ticker, signal, value, forward_return from signals
    union all
    select score_date, sector, ticker, signal, value, forward_return from signals
),

ranked as (
    select
        *,
        -- average ranks for ties (Spearman)
        rank() over (partition by score_date, scope, signal order by value)
            + (count(*) over (partition by score_date, scope, signal, value) - 1) / 2.0 as value_rank,
        rank() over (partition by score_date, scope, signal order by forward_return)
            + (count(*) over (partition by score_date, scope, signal, forward_return) - 1) / 2.0 as return_rank,
        -- ties ranked first, in ticker order (alphalens)
        row_number() over (partition by score_date, scope, signal order by value, ticker) as first_rank,
        count(*) over (partition by score_date, scope, signal) as n
    from scoped
),

quintiles as (
    select
        *,
        -- pandas.qcut of the ranks 1..n into 5: edges 1 + (n - 1) k / 5, right-closed, lowest included
        case when first_rank = 1 then 1 else (5 * (first_rank - 1) + (n - 1) - 1) / (n - 1) end as quintile
    from ranked
    where n >= 5
),

by_date as (
    select
        ranked.score_date,
        ranked.scope,
        ranked.signal,
        count(*) as n_tickers,
        corr(ranked.value_rank, ranked.return_rank) as ic
    from ranked
    group by ranked.score_date, ranked.scope, ranked.signal
),

quintile_returns as (
    select
        score_date, scope, signal,
        {% for q in range(1, 6) %}
        avg(forward_return) filter (where quintile = {{ q }}) as q{{ q }}_return,
        {% endfor %}
        avg(forward_return) filter (where quintile = 5) - avg(forward_return) filter (where quintile = 1)
            as top_minus_bottom
    from quintiles
    group by score_date, scope, signal
),

rolling as (
    select
        by_date.*,
        avg(ic) over last_window as ic_mean_window,
        stddev_samp(ic) over last_window as ic_std_window,
        count(ic) over last_window as ic_count_window
    from by_date
    window last_window as (partition by scope, signal order by score_date rows between {{ ic_window - 1 }} preceding and current row)
)

select
    rolling.score_date,
    rolling.scope,
    rolling.signal,
    rolling.n_tickers,
    rolling.ic,
    quintile_returns.q1_return,
    quintile_returns.q2_return,
    quintile_returns.q3_return,
    quintile_returns.q4_return,
    quintile_returns.q5_return,
    quintile_returns.top_minus_bottom,
    rolling.ic_mean_window as ic_mean_63d,
    rolling.ic_std_window as ic_std_63d,
    rolling.ic_mean_window / nullif(rolling.ic_std_window, 0) as ic_ir_63d,
    rolling.ic_count_window as ic_count_63d
from rolling
left join quintile_returns using (score_date, scope, signal)
