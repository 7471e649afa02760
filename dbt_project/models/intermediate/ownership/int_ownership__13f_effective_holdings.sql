-- 13F holdings that stand after amendments, per filer and report period, in filing order (filing date,
-- amendment number, accession): an original 13F-HR or a RESTATEMENT (or an amendment of no stated type)
-- replaces everything before it; NEW HOLDINGS adds to it. Mirrors
-- valuation_platform.sources.sec.form13f.effective_accessions. Notices (13F-NT) hold no table.
with filings as (
    select * from {{ ref('stg_sec__13f_filings') }}
    where submission_type not like '13F-NT%'
),

holdings as (
    select * from {{ ref('stg_sec__13f_holdings') }}
),

ordered as (
    select
        *,
        row_number() over (
            partition by filer_cik, report_period
            order by filing_date, coalesce(amendment_no, 0), accession
        ) as filing_seq,
        (not is_amendment or coalesce(amendment_type, 'RESTATEMENT') <> 'NEW HOLDINGS') as replaces_earlier
    from filings
),

last_replacement as (
    select filer_cik, report_period, max(filing_seq) filter (where replaces_earlier) as filing_seq
    from ordered
    group by filer_cik, report_period
),

standing as (
    select ordered.*
    from ordered
    inner join last_replacement using (filer_cik, report_period)
    -- an amendment whose original was never loaded stands on its own
    where ordered.filing_seq >= coalesce(last_replacement.filing_seq, 1)
)

select
    holdings.accession,
    holdings.row_number,
    standing.quarter,
    standing.report_period,
    standing.filer_cik,
    standing.filer_name,
    standing.submission_type,
    standing.amendment_type,
    holdings.filing_date,
    holdings.cusip,
    holdings.issuer_name,
    holdings.title_of_class,
    holdings.value_usd,
    holdings.value_unit,
    holdings.shares,
    holdings.share_type,
    holdings.put_call,
    holdings.investment_discretion
from holdings
inner join standing using (accession)
