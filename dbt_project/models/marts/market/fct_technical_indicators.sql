-- Technical indicators per ticker and session; NULL while an indicator is inside its warm-up.
with indicators as (
    select * from {{ ref('stg_market__technical_indicators') }}
)

select
    ticker,
    trade_date,
    {%- for column in indicator_columns() %}
    {{ column }}{{ "," if not loop.last }}
    {%- endfor %}
from indicators
