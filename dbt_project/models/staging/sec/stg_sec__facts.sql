with facts as (
    select * from {{ source('sec', 'sec_companyfacts') }}
)

select
    cik,
    taxonomy,
    concept,
    unit,
    period_start,
    period_end,
    duration_days,
    value::numeric as value,
    accession,
    fy as filing_fiscal_year,
    fp as filing_fiscal_period,
    form,
    filed,
    frame
from facts
where taxonomy in ('us-gaap', 'dei')
  and form in ('10-K', '10-K/A', '10-Q', '10-Q/A', '10-KT', '10-KT/A')
