{{ config(indexes=[
    {'columns': ['ticker'], 'unique': True},
    {'columns': ['overall_score']},
    {'columns': ['value_score']},
    {'columns': ['growth_score']},
    {'columns': ['profitability_score']},
    {'columns': ['financial_health_score']},
    {'columns': ['momentum_score']},
    {'columns': ['analyst_consensus_score']},
    {'columns': ['insider_activity_score']},
    {'columns': ['institutional_score']},
    {'columns': ['news_sentiment_score']},
    {'columns': ['technical_score']}
]) }}
-- dbt's `indexes` config (not a post-hook `create index if not exists`): a table build swaps in a new
-- relation while the old one, holding the same index names, still exists, so `if not exists` would skip.
-- The latest factor scores, one wide row per ticker (replaces /api/scores/screener): each factor score is
-- indexed, so "every factor at least X" filters use index scans (a bitmap AND across factors).
select
    ticker, score_date, sector, overall_score, rating, sector_percentile, data_completeness, confidence_level,
    value_score, growth_score, profitability_score, financial_health_score, momentum_score, analyst_consensus_score, insider_activity_score, institutional_score, news_sentiment_score, technical_score
from {{ ref('fct_ic_scores') }}
where score_date = (select max(score_date) from {{ ref('fct_ic_scores') }})
