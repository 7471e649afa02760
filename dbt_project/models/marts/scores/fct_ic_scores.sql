{{ config(
    materialized='incremental',
    unique_key=['ticker', 'score_date'],
    incremental_strategy='delete+insert',
    tags=['daily'],
    pre_hook=["set work_mem = '{{ var('scores_work_mem', '256MB') }}'",
              "{{ delete_window('score_date', scores_selected('ticker', 'sector')) }}"],
    indexes=[{'columns': ['ticker', 'score_date'], 'unique': True}]
) }}
{#- work_mem: the sort that groups the inputs by session and sector, and the per-group arrays, stay in memory -#}
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
{%- set measures = [] -%}
{%- for factor_measures in factors.values() %}{% do measures.extend(factor_measures) %}{% endfor -%}
{%- set min_peers = var('scores_min_sector_peers', 10) -%}
{#- Per measure, over a peer group: n, its non-null values (NaN included), and its non-NaN values negated and
    sorted, i.e. largest first (_desc), which the percentiles below binary-search. -#}
{%- set peer_aggregates -%}
        {%- for m in measures %}
        count({{ m }}) as {{ m }}_n,
        array_agg(-{{ m }} order by -{{ m }}) filter (where {{ m }} <> 'NaN') as {{ m }}_desc{{ "," if not loop.last }}
        {%- endfor %}
{%- endset -%}
-- The IC Score per ticker and session. Each measure becomes a percentile (percent_rank: the share of peers
-- with a lower value, 0..1; 0.5 when it is the only value) among the session's scorable tickers of the same sector, or of
-- the whole universe when the sector has fewer than {{ min_peers }} scorable tickers (peer_group says which).
-- A factor score is 100 x the mean of its available measure percentiles (news: weighted by the 7- and
-- 30-day article counts). The overall score is the weighted mean of the available factor scores with the
-- ic_score_weights seed renormalised over them, rounded to 1..100.
--
-- How: one aggregation per session and sector sorts each measure's peer values into an array (small
-- in-memory sorts of a few hundred values), then each ticker's percentile is a binary search of its value
-- in its peers' array. Ranking in long form instead (one row per ticker, session and measure: ~25M rows at
-- the seeds' scale) took two sorts too big for memory and a pivot back; this was several times slower.
with inputs as not materialized (
    -- the scorable rows (a value for at least one measure), with only the columns the score reads
    select ticker, score_date, sector, articles_7d, articles_30d,
        {%- for m in measures %}
        {{ m }}::double precision as {{ m }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ ref('fct_ic_score_inputs') }}
    where {{ in_window('score_date') }} and close is not null
      and coalesce({{ measures | join(', ') }}) is not null
),

weights as (
    select
        {%- for factor in factors %}
        max(weight) filter (where factor = '{{ factor }}') as w_{{ factor }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ ref('ic_score_weights') }}
),

universe as (
    -- the peers of a thin sector's tickers (fewer than {{ min_peers }} scorable in the sector that day): every
    -- scorable ticker of the session; aggregated only for the sessions that have a thin sector
    select score_date, count(*) as universe_peers, {{ peer_aggregates }}
    from inputs
    where score_date in (
        select score_date from inputs group by score_date, sector having count(*) < {{ min_peers }})
    group by score_date
),

sectors as (
    -- one row per session and sector: the sector's peer aggregates, and its tickers' own inputs as parallel
    -- arrays (one aggregation keeps them aligned) that `percentiles` unnests again, one row per ticker
    select score_date, sector, count(*) as sector_peers,
        array_agg(ticker) as tickers, array_agg(articles_7d) as articles_7d, array_agg(articles_30d) as articles_30d,
        {%- for m in measures %}
        array_agg({{ m }}) as {{ m }},
        {%- endfor %}
        {{ peer_aggregates }}
    from inputs
    group by score_date, sector
),

peer_groups as (
    select
        sectors.*,
        universe.universe_peers,
        sectors.sector_peers >= {{ min_peers }} as uses_sector_peers,
        {%- for m in measures %}
        case when sectors.sector_peers >= {{ min_peers }} then sectors.{{ m }}_n else universe.{{ m }}_n end as {{ m }}_peers_n,
        case when sectors.sector_peers >= {{ min_peers }} then sectors.{{ m }}_desc else universe.{{ m }}_desc end
            as {{ m }}_peers_desc{{ "," if not loop.last }}
        {%- endfor %}
    from sectors
    left join universe on universe.score_date = sectors.score_date and sectors.sector_peers < {{ min_peers }}
),

percentiles as (
    -- percent_rank = (rank - 1) / (n - 1), rank - 1 being the count of peer values below the ticker's: of the
    -- peers' non-NaN values, all but those >= v, which width_bucket(-v, _desc) counts by binary search;
    -- NaN ranks above every number (float8 order), so below it are all the non-NaN values
    select
        own.ticker, peer_groups.score_date, peer_groups.sector, peer_groups.sector_peers, peer_groups.universe_peers,
        peer_groups.uses_sector_peers, own.articles_7d, own.articles_30d,
        {%- for m in measures %}
        case
            when own.{{ m }} is null then null
            when peer_groups.{{ m }}_peers_n = 1 then 0.5
            else (case when own.{{ m }} = 'NaN' then coalesce(cardinality(peer_groups.{{ m }}_peers_desc), 0)
                       else cardinality(peer_groups.{{ m }}_peers_desc) - width_bucket(-own.{{ m }}, peer_groups.{{ m }}_peers_desc)
                  end)::double precision / (peer_groups.{{ m }}_peers_n - 1)
        end as p_{{ m }}{{ "," if not loop.last }}
        {%- endfor %}
    from peer_groups
    cross join lateral unnest(
        peer_groups.tickers, peer_groups.articles_7d, peer_groups.articles_30d,
        {%- for m in measures %}
        peer_groups.{{ m }}{{ "," if not loop.last }}
        {%- endfor %}
    ) as own(ticker, articles_7d, articles_30d, {{ measures | join(', ') }})
    offset 0  -- computed here: else the planner defers these expressions and carries the arrays through the windows in `final`
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
    offset 0
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
    offset 0
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
