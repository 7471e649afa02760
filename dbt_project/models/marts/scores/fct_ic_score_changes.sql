-- Day-over-day moves of more than {{ var('scores_change_threshold', 5) }} points in the overall score
-- (against the ticker's previous scored session), with the factor whose score moved most.
with scores as (
    select
        *,
        lag(score_date) over by_ticker as previous_date
    from {{ ref('fct_ic_scores') }}
    window by_ticker as (partition by ticker order by score_date)
)

select
    cur.ticker,
    cur.score_date,
    cur.previous_date,
    prev.overall_score as previous_score,
    cur.overall_score,
    cur.overall_score - prev.overall_score as change,
    prev.rating as previous_rating,
    cur.rating,
    top_move.factor as top_factor,
    top_move.delta as top_factor_change
from scores as cur
inner join (select * from {{ ref('fct_ic_scores') }}) as prev
    on prev.ticker = cur.ticker and prev.score_date = cur.previous_date
cross join lateral (
    select factor, delta from (values
        ('value', cur.value_score - prev.value_score),
        ('growth', cur.growth_score - prev.growth_score),
        ('profitability', cur.profitability_score - prev.profitability_score),
        ('financial_health', cur.financial_health_score - prev.financial_health_score),
        ('momentum', cur.momentum_score - prev.momentum_score),
        ('analyst_consensus', cur.analyst_consensus_score - prev.analyst_consensus_score),
        ('insider_activity', cur.insider_activity_score - prev.insider_activity_score),
        ('institutional', cur.institutional_score - prev.institutional_score),
        ('news_sentiment', cur.news_sentiment_score - prev.news_sentiment_score),
        ('technical', cur.technical_score - prev.technical_score)
    ) as moved(factor, delta)
    where delta is not null
    order by abs(delta) desc, factor
    limit 1
) as top_move
where abs(cur.overall_score - prev.overall_score) > {{ var('scores_change_threshold', 5) }}
