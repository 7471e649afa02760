{{ config(**score_date_incremental("scores_selected_tickers_in('ticker')")) }}
-- Day-over-day moves of more than {{ var('scores_change_threshold', 5) }} points in the overall score
-- (against the ticker's previous scored session), with the factor whose score moved most.
-- Incremental on the US sessions (tag daily): a run writes the moves onto its window's score dates, reading
-- those dates' scores and each ticker's last score before the window; the first build covers every date.
-- depends_on: {{ ref('dim_company') }}
with reached as (
    {{ window_and_last_before(ref('fct_ic_scores'), 'ticker', 'score_date') }}
),

scores as (
    select
        *,
        lag(score_date) over by_ticker as previous_date
    from reached
    where {{ scores_selected_tickers_in('ticker') }}
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
inner join reached as prev
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
    and {{ in_window('cur.score_date') }}
