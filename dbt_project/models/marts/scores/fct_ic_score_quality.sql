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
{#- signal -> its column in fct_ic_scores -#}
{%- set signals = {'overall_score': 'overall_score'} -%}
{%- for factor in ['value', 'growth', 'profitability', 'financial_health', 'momentum', 'analyst_consensus',
                   'insider_activity', 'institutional', 'news_sentiment', 'technical'] %}
{%- do signals.update({factor: factor ~ '_score'}) %}
{%- endfor %}
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
    -- per price row, the return to the same ticker's close {{ horizon }} sessions later (NULL without a price
    -- that session): one sort of the prices, where joining them to themselves through the sessions took two
    -- (ticker in the "C" collation: only partitions by it, and compares bytewise)
    select
        prices.ticker,
        prices.trade_date as score_date,
        first_value(prices.close) over ahead / nullif(prices.close, 0) - 1 as forward_return
    from (select * from {{ ref('fct_daily_prices') }}
          {%- if recompute %} where trade_date in (select score_date from todo union all select end_date from todo){% endif %}) as prices
    inner join sessions using (trade_date)
    window ahead as (partition by prices.ticker collate "C" order by sessions.session_index
                     range between {{ horizon }} following and {{ horizon }} following)
),

ticker_order as (
    -- tickers numbered in their sort order: the ties below break on this number (an integer compares several
    -- times faster than text in the database's collation; same order)
    select ticker, row_number() over (order by ticker) as ticker_order
    from (select distinct ticker from {{ ref('fct_ic_scores') }}
          {%- if recompute %} where score_date in (select score_date from todo){% endif %}) as tickers
),

scored as (
    -- one row per scored ticker and date with a known forward return: its signals and that return
    select scores.score_date, ticker_order.ticker_order, scores.sector, forward.forward_return,
        {%- for column in signals.values() %}
        {{ column }}::double precision as {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from (select * from {{ ref('fct_ic_scores') }}
          {%- if recompute %} where score_date in (select score_date from todo){% endif %}) as scores
    inner join forward using (ticker, score_date)
    inner join ticker_order using (ticker)
    where forward.forward_return is not null
),

return_ranked as (
    -- each signal's forward-return ranks among the tickers that have the signal, in both scopes: one sort by
    -- return per scope serves all eleven signals (counting only the rows that have each). The average rank of
    -- tied returns (Spearman) = (returns below + returns up to the last tie + 1) / 2.
    select
        scored.*,
        {%- for column in signals.values() %}
        (count({{ column }}) over all_below + count({{ column }}) over all_to_return + 1)::double precision / 2
            as {{ column }}_all_return_rank,
        (count({{ column }}) over sector_below + count({{ column }}) over sector_to_return + 1)::double precision / 2
            as {{ column }}_sector_return_rank{{ "," if not loop.last }}
        {%- endfor %}
    from scored
    window all_to_return as (partition by score_date order by forward_return),
           all_below as (all_to_return groups between unbounded preceding and 1 preceding),
           sector_to_return as (partition by score_date, sector order by forward_return),
           sector_below as (sector_to_return groups between unbounded preceding and 1 preceding)
),

scopes as (
    -- one row per score date and scope (all tickers, then each sector) and, per signal, the tickers that have
    -- it: their signal values, forward returns and return ranks (the scope's) as parallel arrays, aligned by
    -- the one aggregation
    select
        score_date,
        case when grouping(sector) = 1 then 'all' else sector end as scope,
        {%- for column in signals.values() %}
        array_agg(ticker_order) filter (where {{ column }} is not null) as {{ column }}_tickers,
        array_agg({{ column }}) filter (where {{ column }} is not null) as {{ column }}_values,
        array_agg(forward_return) filter (where {{ column }} is not null) as {{ column }}_returns,
        case when grouping(sector) = 1
            then array_agg({{ column }}_all_return_rank) filter (where {{ column }} is not null)
            else array_agg({{ column }}_sector_return_rank) filter (where {{ column }} is not null)
        end as {{ column }}_return_ranks{{ "," if not loop.last }}
        {%- endfor %}
    from return_ranked
    group by grouping sets ((score_date), (score_date, sector))
),

by_date as (
    -- each scope and signal ranked on its own, in a few hundred to a few thousand rows (sorts in memory),
    -- where windows over every date, scope and signal at once sort ~17M rows
    select scopes.score_date, scopes.scope, signal.name as signal, stats.*
    from scopes
    cross join lateral (values
        {%- for signal, column in signals.items() %}
        ('{{ signal }}', scopes.{{ column }}_tickers, scopes.{{ column }}_values, scopes.{{ column }}_returns,
         scopes.{{ column }}_return_ranks){{ "," if not loop.last }}
        {%- endfor %}
    ) as signal(name, tickers, signal_values, forward_returns, return_ranks)
    cross join lateral (
        select
            count(*) as n_tickers,
            -- the rows come in (value, ticker) order (the windows' sort)
            corr(value_rank, return_rank) as ic,
            {%- for q in range(1, 6) %}
            avg(forward_return) filter (where quintile = {{ q }}) as q{{ q }}_return,
            {%- endfor %}
            avg(forward_return) filter (where quintile = 5) - avg(forward_return) filter (where quintile = 1)
                as top_minus_bottom
        from (
            select
                ranked.forward_return,
                ranked.return_rank,
                -- average ranks for ties (Spearman): (values below + 1 + values up to the last tie) / 2, the
                -- latter by binary search in the sorted values (a window counting them reads ahead over ties)
                (ranked.value_rank_min + width_bucket(ranked.value, sorted.signal_values))::double precision / 2
                    as value_rank,
                -- pandas.qcut of the ranks 1..n into 5, ties ranked first in ticker order (alphalens): edges
                -- 1 + (n - 1) k / 5, right-closed, lowest included; none under 5 tickers
                case
                    when sorted.n < 5 then null
                    when ranked.first_rank = 1 then 1
                    else (5 * (ranked.first_rank - 1) + (sorted.n - 1) - 1) / (sorted.n - 1)
                end as quintile
            from (
                select
                    value,
                    forward_return,
                    return_rank,
                    rank() over by_value as value_rank_min,
                    row_number() over by_first as first_rank
                from unnest(signal.tickers, signal.signal_values, signal.forward_returns, signal.return_ranks)
                    as member(ticker_order, value, forward_return, return_rank)
                window by_value as (order by value),
                       by_first as (order by value, ticker_order)
            ) as ranked
            cross join (
                select array_agg(v order by v) as signal_values, count(*) as n
                from unnest(signal.signal_values) as v
            ) as sorted
        ) as quintiled
    ) as stats
    where signal.tickers is not null
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
    select *, true as is_new from by_date
    union all
    select score_date, scope, signal, null, ic, {% for q in range(6) %}null, {% endfor %}false from held_ics
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
    rolling.q1_return,
    rolling.q2_return,
    rolling.q3_return,
    rolling.q4_return,
    rolling.q5_return,
    rolling.top_minus_bottom,
    rolling.ic_mean_window as ic_mean_63d,
    rolling.ic_std_window as ic_std_63d,
    rolling.ic_mean_window / nullif(rolling.ic_std_window, 0) as ic_ir_63d,
    rolling.ic_count_window as ic_count_63d
from rolling
{%- if recompute %}
where rolling.is_new  -- the held rows only fed the windows
{%- endif %}
