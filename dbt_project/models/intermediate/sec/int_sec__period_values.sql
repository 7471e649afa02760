-- One value per company, line item and fiscal period slot: the one from the latest filing
-- (restatements and later re-reports win), then the preferred concept among alternatives.
with classified as (
    select * from {{ ref('int_sec__facts_classified') }}
)

select distinct on (cik, line_item, fiscal_year, fiscal_quarter, period_kind)
    cik,
    line_item,
    fiscal_year,
    fiscal_quarter,
    period_kind,
    concept,
    period_start,
    period_end,
    value,
    accession,
    form,
    filed
from classified
order by cik, line_item, fiscal_year, fiscal_quarter, period_kind, filed desc, accession desc, priority asc
