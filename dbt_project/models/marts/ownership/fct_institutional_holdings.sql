-- 13F holdings per filer and quarter after amendments, values in dollars. Put and call rows describe
-- options on the security (`shares` = underlying amount) and keep their `put_call`: never add them to
-- share counts. `ticker` comes from int_ownership__cusip_ticker_map (NULL where the CUSIP is unknown).
with holdings as (
    select * from {{ ref('int_ownership__13f_effective_holdings') }}
),

cusip_map as (
    select * from {{ ref('int_ownership__cusip_ticker_map') }}
)

select
    holdings.quarter,
    holdings.report_period,
    holdings.filer_cik,
    holdings.filer_name,
    holdings.accession,
    holdings.row_number,
    holdings.filing_date,
    holdings.submission_type,
    holdings.amendment_type,
    holdings.cusip,
    holdings.issuer_name,
    holdings.title_of_class,
    cusip_map.ticker,
    cusip_map.cik as issuer_cik,
    holdings.shares,
    holdings.share_type,
    holdings.value_usd as market_value,
    holdings.put_call,
    holdings.investment_discretion
from holdings
left join cusip_map using (cusip)
