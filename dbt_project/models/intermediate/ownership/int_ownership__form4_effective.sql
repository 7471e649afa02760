-- Form 4 lines that stand after amendments: a 4/A restates every earlier filing of the same issuer,
-- reporting owners and period of report that it names by its date of original submission (any earlier
-- filing when it names none), and every earlier amendment of that group. Mirrors
-- valuation_platform.sources.sec.form4.prefer_amendments, applied over all filings loaded so far.
with lines as (
    select * from {{ ref('stg_sec__form4_transactions') }}
),

filings as (
    select distinct on (accession)
        accession,
        issuer_cik,
        reporting_owner_key,
        period_of_report,
        filing_date,
        is_amendment,
        date_of_original_submission
    from lines
    order by accession, row_number
),

superseded as (
    select distinct earlier.accession, amendment.accession as superseded_by
    from filings as amendment
    inner join filings as earlier
        on earlier.issuer_cik = amendment.issuer_cik
        and earlier.reporting_owner_key = amendment.reporting_owner_key
        and earlier.period_of_report = amendment.period_of_report
        and earlier.accession <> amendment.accession
    where amendment.is_amendment
        and (
            earlier.filing_date < amendment.filing_date
            or (earlier.filing_date = amendment.filing_date and earlier.accession < amendment.accession)
        )
        and (
            earlier.is_amendment
            or amendment.date_of_original_submission is null
            or earlier.filing_date = amendment.date_of_original_submission
        )
)

select lines.*
from lines
where not exists (select 1 from superseded where superseded.accession = lines.accession)
