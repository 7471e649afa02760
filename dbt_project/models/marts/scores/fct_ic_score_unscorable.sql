-- Universe tickers without a score on a session, with the reason: no close that day, or not one factor
-- measure public yet. With fct_ic_scores this accounts for every ticker of the universe on every session.
select
    inputs.ticker,
    inputs.score_date,
    inputs.sector,
    coalesce(inputs.unscorable_reason, 'no factor data public on the score date') as reason
from (select * from {{ ref('fct_ic_score_inputs') }}) as inputs
left join (select * from {{ ref('fct_ic_scores') }}) as scores using (ticker, score_date)
where scores.ticker is null
