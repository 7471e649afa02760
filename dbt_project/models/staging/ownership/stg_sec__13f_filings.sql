-- 13F cover pages with the report quarter as a label ('2026Q3').
with source as (
    select * from {{ source('sec_ownership', 'sec_13f_filings') }}
)

select
    accession,
    filer_cik,
    filer_name,
    upper(submission_type) as submission_type,
    report_period,
    extract(year from report_period)::int || 'Q' || extract(quarter from report_period)::int as quarter,
    filing_date,
    is_amendment,
    amendment_no,
    upper(amendment_type) as amendment_type,
    report_type,
    table_entry_total,
    table_value_total,
    origin,
    n_holdings,
    _fetched_at
from source
