-- Cash dividends from Polygon /v3/reference/dividends, per share in the basis of the ex-dividend date.
select
    ticker,
    ex_dividend_date,
    dividend_type,
    cash_amount,
    currency,
    declaration_date,
    record_date,
    pay_date,
    frequency,
    _fetched_at
from {{ source('market', 'polygon_dividends') }}
