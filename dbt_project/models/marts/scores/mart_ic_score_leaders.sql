-- The latest session's leaders (replaces /api/scores/top): the top {{ var('scores_leaders_overall', 50) }}
-- tickers overall and the top {{ var('scores_leaders_per_sector', 10) }} of each sector by overall score
-- (ties: more complete data first, then ticker).
with latest as (
    select * from {{ ref('fct_ic_scores') }}
    where score_date = (select max(score_date) from {{ ref('fct_ic_scores') }})
),

ranked as (
    select
        *,
        row_number() over (order by overall_score desc, data_completeness desc, ticker) as overall_rank,
        row_number() over (partition by sector order by overall_score desc, data_completeness desc, ticker)
            as sector_rank
    from latest
)

select 'overall' as leaderboard, overall_rank as rank, score_date, ticker, sector, overall_score, rating,
       sector_percentile, data_completeness, confidence_level
from ranked where overall_rank <= {{ var('scores_leaders_overall', 50) }}
union all
select sector, sector_rank, score_date, ticker, sector, overall_score, rating,
       sector_percentile, data_completeness, confidence_level
from ranked where sector_rank <= {{ var('scores_leaders_per_sector', 10) }}
