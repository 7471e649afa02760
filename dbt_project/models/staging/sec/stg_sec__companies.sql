with universe as (
    select * from {{ source('sec', 'us_universe') }}
)

select
    ticker,
    cik,
    name,
    exchange,
    sic,
    sic_description,
    fiscal_year_end,
    coalesce(nullif(substr(fiscal_year_end, 1, 2), '')::int, 12) as fiscal_year_end_month,
    coalesce(nullif(substr(fiscal_year_end, 3, 2), '')::int, 31) as fiscal_year_end_day,
    is_primary_ticker,
    _fetched_at
from universe
