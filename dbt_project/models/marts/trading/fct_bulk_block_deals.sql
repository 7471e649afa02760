-- NSE bulk deals (over 0.5 % of a company's shares in a session) and block deals (block-window trades of
-- at least Rs 10 crore), one row per deal, with the traded value in Rs crore.
select
    deal_date,
    deal_type,
    symbol,
    security_name,
    client_name,
    side,
    quantity,
    price,
    quantity * price / 1e7 as value_crore,
    remarks,
    request_date,
    seq
from {{ ref('stg_nse__bulk_block_deals') }}
