-- SEBI PIT insider-trading disclosures, one row per disclosed transaction, with its direction and the
-- average price it implies (value / quantity, Rs per security).
select
    request_date as disclosure_date,
    line,
    symbol,
    company_name,
    acquirer_name,
    person_category,
    transaction_type,
    case transaction_type when 'Buy' then 1 when 'Sell' then -1 else 0 end as direction,
    security_type,
    quantity,
    value,
    {{ safe_divide('value', 'quantity') }} as average_price,
    securities_prior,
    securities_post,
    holding_prior_pct,
    holding_post_pct,
    acquired_from,
    acquired_to,
    intimated_on,
    acquisition_mode,
    exchange,
    broadcast_at,
    regulation,
    xbrl
from {{ ref('stg_nse__insider_trades') }}
