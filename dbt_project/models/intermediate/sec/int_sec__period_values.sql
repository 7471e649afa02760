-- One value per company, line item and fiscal period slot: the one from the latest filing
-- (restatements and later re-reports win), then the preferred concept among alternatives.
-- `filed`/`form` say when that value first became public (a 10-K's year-end balance is re-reported
-- in later 10-Qs; the number was known from the 10-K on), so point-in-time joins stay honest.
with classified as (
    select * from {{ ref('int_sec__facts_classified') }}
),

annotated as (
    select
        *,
        min(filed) over same_value as value_first_filed,
        first_value(form) over (same_value order by filed, accession) as value_first_form,
        first_value(accession) over (same_value order by filed, accession) as value_first_accession
    from classified
    window same_value as (partition by cik, line_item, fiscal_year, fiscal_quarter, period_kind, value)
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
    value_first_accession as accession,
    value_first_form as form,
    value_first_filed as filed,
    filed as last_filed
from annotated
-- qualified: bare `filed`/`accession` here would bind to the output aliases (when the value was first filed)
order by cik, line_item, fiscal_year, fiscal_quarter, period_kind,
         annotated.filed desc, annotated.accession desc, annotated.priority asc
