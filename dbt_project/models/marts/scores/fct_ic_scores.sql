{{ config(
    materialized='incremental',
    unique_key=['ticker', 'score_date'],
    incremental_strategy='delete+insert',
    tags=['daily'],
    pre_hook=["set work_mem = '{{ var('scores_work_mem', '256MB') }}'",
              "{{ delete_window('score_date', scores_selected('ticker', 'sector')) }}"],
    indexes=[{'columns': ['ticker', 'score_date'], 'unique': True}]
) }}
{#- work_mem: the ranking sorts one row per measure; in memory it runs several times faster than spilled -#}
{#- factor -> its measures in fct_ic_score_inputs, each oriented higher = better -#}
{%- set factors = {
    'value': ['earnings_yield', 'book_yield', 'sales_yield'],
    'growth': ['revenue_growth', 'revenue_cagr', 'eps_growth', 'fcf_growth'],
    'profitability': ['gross_margin', 'operating_margin', 'net_margin', 'roe', 'roa'],
    'financial_health': ['equity_to_capital', 'current_ratio', 'interest_coverage'],
    'momentum': ['return_1m', 'return_3m', 'return_6m', 'return_12m'],
    'analyst_consensus': ['mean_rating', 'target_upside'],
    'insider_activity': ['insider_net_30d_pct_mcap', 'insider_net_90d_pct_mcap'],
    'institutional': ['institutional_pct', 'institutional_change_qoq'],
    'news_sentiment': ['news_avg_7d', 'news_avg_30d'],
    'technical': ['rsi_14', 'macd_hist_pct', 'price_vs_sma50', 'price_vs_sma200'],
} -%}
{%- set measure_ids = {} -%}
{%- for measures in factors.values() %}{% for m in measures %}{% do measure_ids.update({m: measure_ids | length}) %}{% endfor %}{% endfor -%}
{%- set min_peers = var('scores_min_sector_peers', 10) -%}
-- The IC Score per ticker and session. Each measure becomes a percentile (percent_rank: the share of peers
-- with a lower value, 0..1; 0.5 when it is the only value) among the session's scorable tickers of the same sector, or of
-- the whole universe when the sector has fewer than {{ min_peers }} scorable tickers (peer_group says which).
-- A factor score is 100 x the mean of its available measure percentiles (news: weighted by the 7- and
-- 30-day article counts). The overall score is the weighted mean of the available factor scores with the
-- ic_score_weights seed renormalised over them, rounded to 1..100.
with inputs as (
    select * from {{ ref('fct_ic_score_inputs') }}
    where {{ in_window('score_date') }} and close is not null
),

weights as (
    select
        {%- for factor in factors %}
        max(weight) filter (where factor = '{{ factor }}') as w_{{ factor }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ ref('ic_score_weights') }}
),

scorable as (
    select
        inputs.*,
        count(*) over (partition by score_date, sector) as sector_peers
    from inputs
    where coalesce(
        {%- for measures in factors.values() %}{% for m in measures %}{{ m }}::double precision{{ ", " if not loop.last }}{% endfor %}{{ ", " if not loop.last }}{% endfor %}
    ) is not null
),

measures as (
    -- long form (one row per ticker, session and measure with a value): two sorts rank every measure at
    -- once, where one window per measure and scope would sort the wide rows sixty times
    select scorable.ticker, scorable.score_date, scorable.sector collate "C" as sector, scorable.sector_peers >= {{ min_peers }} as uses_sector_peers,
           measure.measure_id, measure.value
    from scorable
    cross join lateral (values
        {%- for measures in factors.values() %}{% set outer = loop %}{% for m in measures %}
        ({{ measure_ids[m] }}, {{ m }}::double precision){{ "," if not (outer.last and loop.last) }}
        {%- endfor %}{% endfor %}
    ) as measure(measure_id, value)
    where measure.value is not null
),

in_sector as (
    -- percent_rank = (rank - 1) / (n - 1), with rank and n from one sort of (session, sector, measure, value)
    select ticker, score_date, measure_id,
           case when n = 1 then 0.5 else (rank_in_group - 1)::double precision / (n - 1) end as percentile
    from (
        select ticker, score_date, measure_id,
               rank() over by_value as rank_in_group,
               count(*) over (by_value rows between unbounded preceding and unbounded following) as n
        from measures
        where uses_sector_peers
        window by_value as (partition by score_date, sector, measure_id order by value)
    ) as ranks
),

in_universe as (
    -- thin sectors rank against every ticker of the session; only sessions that have a thin sector are sorted
    select ticker, score_date, measure_id,
           case when n = 1 then 0.5 else (rank_in_group - 1)::double precision / (n - 1) end as percentile
    from (
        select ticker, score_date, measure_id, uses_sector_peers,
               rank() over by_value as rank_in_group,
               count(*) over (by_value rows between unbounded preceding and unbounded following) as n
        from measures
        where score_date in (select score_date from measures where not uses_sector_peers)
        window by_value as (partition by score_date, measure_id order by value)
    ) as ranks
    where not uses_sector_peers
),

ranked as (
    select * from in_sector
    union all
    select * from in_universe
),

percentiles as (
    select
        scorable.ticker, scorable.score_date, scorable.sector, scorable.sector_peers,
        scorable.articles_7d, scorable.articles_30d, scorable.sector_peers >= {{ min_peers }} as uses_sector_peers,
        {%- for measures in factors.values() %}{% set outer = loop %}{% for m in measures %}
        max(ranked.percentile) filter (where ranked.measure_id = {{ measure_ids[m] }}) as p_{{ m }}{{ "," if not (outer.last and loop.last) }}
        {%- endfor %}{% endfor %}
    from scorable
    inner join ranked using (ticker, score_date)
    group by scorable.ticker, scorable.score_date, scorable.sector, scorable.sector_peers,
             scorable.articles_7d, scorable.articles_30d
),

factor_scores as (
    select
        ticker, score_date, sector, sector_peers, uses_sector_peers,
        {%- for factor, measures in factors.items() %}
        {%- if factor == 'news_sentiment' %}
        100 * (coalesce(p_news_avg_7d * articles_7d, 0) + coalesce(p_news_avg_30d * articles_30d, 0))
            / nullif(case when p_news_avg_7d is not null then articles_7d else 0 end
                     + case when p_news_avg_30d is not null then articles_30d else 0 end, 0)
            as {{ factor }}_score{{ "," if not loop.last }}
        {%- else %}
        100 * ({% for m in measures %}coalesce(p_{{ m }}, 0){{ " + " if not loop.last }}{% endfor %})
            / nullif({% for m in measures %}(p_{{ m }} is not null)::int{{ " + " if not loop.last }}{% endfor %}, 0)
            as {{ factor }}_score{{ "," if not loop.last }}
        {%- endif %}
        {%- endfor %}
    from percentiles
),

weighted as (
    select
        factor_scores.*,
        ({% for factor in factors %}coalesce(w_{{ factor }} * {{ factor }}_score, 0){{ " + " if not loop.last }}{% endfor %})
            as weighted_sum,
        ({% for factor in factors %}case when {{ factor }}_score is not null then w_{{ factor }} else 0 end{{ " + " if not loop.last }}{% endfor %})
            as weight_present,
        ({% for factor in factors %}w_{{ factor }}{{ " + " if not loop.last }}{% endfor %}) as weight_total
    from factor_scores
    cross join weights
),

overall as (
    select
        *,
        greatest(1, least(100, round(weighted_sum / weight_present)))::integer as overall_score,
        -- rounded before the confidence bands apply: weights in hundredths sum to 0.9000000000000001 in floats
        round((weight_present / weight_total)::numeric, 4)::double precision as data_completeness
    from weighted
),

final as (
    select
    ticker,
    score_date,
    overall_score,
    case
        when overall_score >= 80 then 'Strong Buy'
        when overall_score >= 65 then 'Buy'
        when overall_score >= 50 then 'Hold'
        when overall_score >= 35 then 'Underperform'
        else 'Sell'
    end as rating,
    {%- for factor in factors %}
    round({{ factor }}_score::numeric, 2)::double precision as {{ factor }}_score,
    {%- endfor %}
    sector,
    case when uses_sector_peers then 'sector' else 'universe' end as peer_group,
    case when uses_sector_peers then sector_peers
         else count(*) over (partition by score_date) end as peer_count,
    round(100 * (case
        when uses_sector_peers then percent_rank() over (partition by score_date, sector order by overall_score)
        else percent_rank() over (partition by score_date order by overall_score)
    end)::numeric, 2)::double precision as sector_percentile,
    data_completeness,
    case
        when data_completeness > 0.9 then 'High'
        when data_completeness >= 0.7 then 'Medium'
        else 'Low'
    end as confidence_level
from overall
)

-- a one-ticker / one-sector run ranks against every peer's stored inputs but writes only its own rows
select * from final where {{ scores_selected('ticker', 'sector') }}
