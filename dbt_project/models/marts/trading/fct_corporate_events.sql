-- One row per NSE corporate event: board meetings (event_date = the meeting), financial results (the day
-- they were broadcast) and corporate actions (the ex-date). The input of the event-window guardrail.
-- When NSE lists the same event on several days, the latest listing's details are kept.
with events as (
    select * from {{ ref('stg_nse__corporate_events') }}
)

select
    symbol,
    event_date,
    event_type,
    purpose,
    company_name,
    isin,
    announced_at,
    record_date,
    reference,
    request_date as listed_on
from events
