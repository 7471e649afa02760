-- 13F information-table rows; market value in dollars whatever unit the filing used.
with source as (
    select * from {{ source('sec_ownership', 'sec_13f_holdings') }}
)

select
    accession,
    row_number,
    filer_cik,
    report_period,
    filing_date,
    upper(cusip) as cusip,
    issuer_name,
    title_of_class,
    figi,
    value_reported,
    value_usd,
    value_unit,
    shares,
    share_type,
    put_call,
    investment_discretion,
    other_manager,
    _fetched_at
from source
