with indicators as (
    select * from {{ source('market_analytics', 'technical_indicators') }}
)

select
    ticker,
    trade_date,
    {%- for column in indicator_columns() %}
    {{ column }},
    {%- endfor %}
    _fetched_at
from indicators
