-- FPI investment per NSDL reporting date and asset class (the investment routes summed), with each class's
-- net summed over its last 5 and 20 reporting dates (rows, so days without a report do not count).
with investment as (
    select * from {{ ref('stg_nsdl__fpi_investment') }}
),

classes as (
    select
        reporting_date,
        asset_class,
        sum(gross_purchases_cr) as gross_purchases_cr,
        sum(gross_sales_cr) as gross_sales_cr,
        sum(net_investment_cr) as net_investment_cr,
        sum(net_investment_usd_mn) as net_investment_usd_mn
    from investment
    group by reporting_date, asset_class
)

select
    reporting_date,
    asset_class,
    gross_purchases_cr,
    gross_sales_cr,
    net_investment_cr,
    net_investment_usd_mn,
    {{ trailing_sum('net_investment_cr', 5, 'asset_class', 'reporting_date') }} as net_5d_cr,
    {{ trailing_sum('net_investment_cr', 20, 'asset_class', 'reporting_date') }} as net_20d_cr
from classes
