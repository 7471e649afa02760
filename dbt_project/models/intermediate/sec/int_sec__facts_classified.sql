-- Every mapped fact placed in its company's own fiscal calendar.
-- fiscal_year is derived from the period end and the company's fiscal year end, not from the filing's
-- `fy` field (which is the fiscal year of the report that carried the fact, e.g. a comparative).
with facts as (
    select * from {{ ref('stg_sec__facts') }}
),

concept_map as (
    select * from {{ ref('sec_concept_map') }}
),

companies as (
    select distinct cik, fiscal_year_end_month from {{ ref('stg_sec__companies') }}
),

mapped as (
    select
        facts.*,
        concept_map.line_item,
        concept_map.priority,
        concept_map.period_type,
        companies.fiscal_year_end_month,
        -- 52/53-week years end up to a week into the next month: count those days to the prior month.
        case when extract(day from facts.period_end) <= 7 then facts.period_end - 8 else facts.period_end end
            as effective_end
    from facts
    inner join concept_map
        on concept_map.taxonomy = facts.taxonomy
        and concept_map.concept = facts.concept
        and concept_map.unit = facts.unit
    inner join companies on companies.cik = facts.cik
    where (concept_map.period_type = 'instant') = (facts.duration_days = 0)
),

calendar as (
    select
        *,
        case
            when extract(month from effective_end)::int <= fiscal_year_end_month
                then extract(year from effective_end)::int
            else extract(year from effective_end)::int + 1
        end as fiscal_year,
        ((extract(month from effective_end)::int - fiscal_year_end_month - 1 + 12) % 12) + 1 as months_into_year,
        round(duration_days / 30.44)::int as span_months
    from mapped
)

select
    cik,
    line_item,
    taxonomy,
    concept,
    priority,
    period_type,
    fiscal_year,
    months_into_year / 3 as fiscal_quarter,
    case
        when duration_days = 0 then 'INSTANT'
        when duration_days between 80 and 100 then 'QUARTER'
        else 'YTD'
    end as period_kind,
    period_start,
    period_end,
    value,
    accession,
    form,
    filed
from calendar
where months_into_year % 3 = 0
  and (
      duration_days = 0
      or duration_days between 80 and 100
      or (span_months = months_into_year and span_months in (6, 9, 12))
  )
