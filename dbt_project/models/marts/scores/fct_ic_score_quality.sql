{{ config(
    materialized='incremental',
    unique_key=['score_date', 'scope', 'signal'],
    incremental_strategy='delete+insert',
    pre_hook="{{ delete_recent_score_dates(var('scores_quality_lookback', 5)) }}"
) }}
-- Does the score rank? Per score date, scope (all tickers, then each sector) and signal (the overall score
-- and each factor score): the information coefficient, i.e. the Spearman rank correlation of the signal with
-- the forward {{ var('scores_forward_sessions', 21) }}-session return from the close of the score date
-- (tied values share their average rank, as scipy.stats.spearmanr), the mean forward return of each quintile
-- with ties ranked first (alphalens: rank(method='first') by ticker order, then qcut into 5), the top minus
-- bottom quintile spread, and the mean, standard deviation and IR (mean / std) of the IC over the last
-- {{ var('scores_ic_window', 63) }} score dates. Dates whose forward return is not known yet have no row.
--
-- Incremental: each session makes one more score date's forward return known (the date
-- {{ var('scores_forward_sessions', 21) }} sessions back), so a run computes only the score dates the table does not hold. The
-- pre-hook first deletes the last {{ var('scores_quality_lookback', 5) }} score dates held (var scores_quality_lookback, a
-- trading week): a close corrected late (a bad print re-fetched) or a score restated in the days after moves
-- the forward returns of those recent dates, and deleting their rows (not only replacing them by key) drops a
-- scope or signal that no longer has data. A correction older than that is not picked up: rebuild with
-- --full-refresh after restating history. The rolling IC columns read the earlier dates' ICs back from the
-- table, so they equal a full build's. The first build and --full-refresh compute every date.
{% set horizon = var('scores_forward_sessions', 21) %}
{% set ic_window = var('scores_ic_window', 63) %}
{% set recompute = is_incremental() %}
with sessions as (
    select trade_date, row_number() over (order by trade_date) as session_index
    from (select distinct trade_date from {{ ref('fct_daily_prices') }}) as days
),
{% if recompute %}

todo as (
    -- the score dates to compute, with the session that ends their forward return: scored, that end known,
    -- and not in the table (after the pre-hook's delete). The price and score scans below keep only these
    -- dates, before any join or window.
    select s0.trade_date as score_date, s1.trade_date as end_date
    from sessions as s0
    inner join sessions as s1 on s1.session_index = s0.session_index + {{ horizon }}
    where s0.trade_date in (select distinct score_date from {{ ref('fct_ic_scores') }})
      and not exists (select 1 from {{ this }} as held where held.score_date = s0.trade_date)
),
{% endif %}

forward as (
    select
        start_price.ticker,
        start_price.trade_date as score_date,
        end_price.close / nullif(start_price.close, 0) - 1 as forward_return
    from (select * from {{ ref('fct_daily_prices') }}
          {%- if recompute %} where trade_date in (select score_date from todo){% endif %}) as start_price
    inner join sessions as s0 on s0.trade_date = start_price.trade_date
    inner join sessions as s1 on s1.session_index = s0.session_index + {{ horizon }}
    inner join (select * from {{ ref('fct_daily_prices') }}
                {%- if recompute %} where trade_date in (select end_date from todo){% endif %}) as end_price
        on end_price.ticker = start_price.ticker and end_price.trade_date = s1.trade_date
),

signals as (
    select scores.score_date, scores.ticker, scores.sector, signal.name as signal, signal.value, forward.forward_return
    from (select * from {{ ref('fct_ic_scores') }}
          {%- if recompute %} where score_date in (select score_date from todo){% endif %}) as scores
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

{% if recompute %}
held_ics as (
    -- the ICs already in the table that the new dates' windows reach: per scope and signal, the
    -- {{ ic_window - 1 }} rows before the first new date, and any row after it (only when an older date was missing)
    select score_date, scope, signal, ic
    from (
        select score_date, scope, signal, ic,
               row_number() over (partition by scope, signal order by score_date desc) as rows_back
        from {{ this }}
        where score_date < (select min(score_date) from by_date)
    ) as earlier
    where rows_back < {{ ic_window }}
    union all
    select score_date, scope, signal, ic from {{ this }} where score_date > (select min(score_date) from by_date)
),

ics as (
    select score_date, scope, signal, n_tickers, ic, true as is_new from by_date
    union all
    select score_date, scope, signal, null, ic, false from held_ics
),
{% endif %}

{% set rolled = "ics" if recompute else "by_date" %}
rolling as (
    select
        {{ rolled }}.*,
        avg(ic) over last_window as ic_mean_window,
        stddev_samp(ic) over last_window as ic_std_window,
        count(ic) over last_window as ic_count_window
    from {{ rolled }}
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
{%- if recompute %}
where rolling.is_new  -- the held rows only fed the windows
{%- endif %}
