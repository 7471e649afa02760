-- Discrete fiscal periods (Q1..Q4 and FY) per company and line item, long form.
-- Flows: a quarter is the reported three-month value, else year-to-date minus the previous
-- year-to-date (cash flows are filed YTD only; Q4 is never filed, so Q4 = FY - nine months).
-- Balances: the instant at the quarter end; FY is the fiscal-year-end balance.
with period_values as (
    select * from {{ ref('int_sec__period_values') }}
),

discrete as (
    select * from period_values where period_kind = 'QUARTER'
),

cumulative as (
    -- cumulative through quarter n; the first quarter is its own year-to-date
    select * from period_values
    where period_kind = 'YTD' or (period_kind = 'QUARTER' and fiscal_quarter = 1)
),

quarter_slots as (
    select cik, line_item, fiscal_year, fiscal_quarter from discrete
    union
    select cik, line_item, fiscal_year, fiscal_quarter from cumulative where fiscal_quarter > 1
),

flow_quarters as (
    select
        slots.cik,
        slots.line_item,
        slots.fiscal_year,
        'Q' || slots.fiscal_quarter as fiscal_period,
        coalesce(discrete.value, ytd.value - prior_ytd.value) as value,
        discrete.value is null as is_derived,
        case when discrete.value is not null then discrete.period_end else ytd.period_end end as period_end,
        case when discrete.value is not null then discrete.filed else greatest(ytd.filed, prior_ytd.filed) end
            as filed,
        coalesce(discrete.form, ytd.form) as form,
        coalesce(discrete.accession, ytd.accession) as accession
    from quarter_slots as slots
    left join discrete
        on discrete.cik = slots.cik and discrete.line_item = slots.line_item
        and discrete.fiscal_year = slots.fiscal_year and discrete.fiscal_quarter = slots.fiscal_quarter
    left join cumulative as ytd
        on ytd.cik = slots.cik and ytd.line_item = slots.line_item
        and ytd.fiscal_year = slots.fiscal_year and ytd.fiscal_quarter = slots.fiscal_quarter
    left join cumulative as prior_ytd
        on prior_ytd.cik = slots.cik and prior_ytd.line_item = slots.line_item
        and prior_ytd.fiscal_year = slots.fiscal_year and prior_ytd.fiscal_quarter = slots.fiscal_quarter - 1
),

flow_years as (
    select cik, line_item, fiscal_year, 'FY' as fiscal_period, value, false as is_derived,
           period_end, filed, form, accession
    from cumulative
    where fiscal_quarter = 4 and period_kind = 'YTD'
),

balances as (
    select cik, line_item, fiscal_year, 'Q' || fiscal_quarter as fiscal_period, value, false as is_derived,
           period_end, filed, form, accession
    from period_values
    where period_kind = 'INSTANT'
    union all
    select cik, line_item, fiscal_year, 'FY', value, false, period_end, filed, form, accession
    from period_values
    where period_kind = 'INSTANT' and fiscal_quarter = 4
)

select * from flow_quarters where value is not null
union all
select * from flow_years
union all
select * from balances
