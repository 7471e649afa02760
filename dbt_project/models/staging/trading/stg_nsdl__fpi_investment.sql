select
    reporting_date,
    asset_class,
    route,
    gross_purchases_cr,
    gross_sales_cr,
    net_investment_cr,
    net_investment_usd_mn,
    conversion_rate,
    _fetched_at as _loaded_at
from {{ source('nsdl', 'nsdl_fpi_investment') }}
