{{
    config(
        materialized='incremental',
        unique_key=['ticker', 'trade_date'],
        incremental_strategy='delete+insert',
        tags=['daily'],
        pre_hook="{{ delete_window('trade_date') }}",
    )
}}

-- Technical indicators per ticker and session; NULL while an indicator is inside its warm-up.
-- Incremental on the session window (tag:daily): a run rewrites only its sessions' rows.
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
where {{ in_window('trade_date') }}
