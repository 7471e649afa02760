{{ config(**score_date_incremental("scores_selected_tickers_in('ticker')")) }}
-- Universe tickers without a score on a session, with the reason: no close that day, or not one factor
-- measure public yet. With fct_ic_scores this accounts for every ticker of the universe on every session.
-- Incremental on the US sessions (tag daily): a run writes its window's sessions.
-- depends_on: {{ ref('dim_company') }}
select
    inputs.ticker,
    inputs.score_date,
    inputs.sector,
    coalesce(inputs.unscorable_reason, 'no factor data public on the score date') as reason
from (select * from {{ ref('fct_ic_score_inputs') }} where {{ in_window('score_date') }}) as inputs
left join (select * from {{ ref('fct_ic_scores') }} where {{ in_window('score_date') }}) as scores
    using (ticker, score_date)
where scores.ticker is null and {{ scores_selected_tickers_in('inputs.ticker') }}
