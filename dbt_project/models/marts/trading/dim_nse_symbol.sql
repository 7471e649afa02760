-- One row per NSE-listed equity: EQUITY_L's reference fields, index membership and industry (NSE
-- Indices), and the India valuation universe company the symbol maps to (sector/industry from there
-- when no index list labels it).
with equities as (
    select * from {{ ref('stg_nse__equity_list') }}
),

membership as (
    select * from {{ ref('int_trading__index_membership') }}
),

universe as (
    select company_key, nse_symbol, cd_sector, cd_industry, valuation_group
    from {{ ref('dim_india_company') }}
    where nse_symbol is not null
)

select
    e.symbol,
    e.company_name,
    e.series,
    e.isin,
    e.listing_date,
    e.market_lot,
    e.face_value,
    e.paid_up_value,
    u.cd_sector as sector,
    coalesce(m.index_industry, u.cd_industry) as industry,
    coalesce(m.in_nifty_50, false) as in_nifty_50,
    coalesce(m.in_nifty_next_50, false) as in_nifty_next_50,
    coalesce(m.in_nifty_500, false) as in_nifty_500,
    m.index_memberships,
    u.company_key,
    u.valuation_group,
    u.company_key is not null as in_valuation_universe
from equities as e
left join membership as m on m.symbol = e.symbol
left join universe as u on upper(u.nse_symbol) = e.symbol
