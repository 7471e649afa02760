-- Where the NSE symbol master and the rest of the platform disagree, one row per symbol and kind:
-- * NOT_IN_SYMBOL_MASTER: a valuation-universe company whose NSE symbol EQUITY_L does not list (renamed,
--   delisted, or a typo in the classification file);
-- * ISIN_DIFFERS_FROM_BHAVCOPY: EQUITY_L's ISIN is not the one the latest bhavcopy prints for the symbol;
-- * ISIN_DIFFERS_FROM_INDEX_LIST: EQUITY_L's ISIN is not the one the index constituent list gives.
with equities as (
    select * from {{ ref('stg_nse__equity_list') }}
),

bhavcopy_isins as (
    select * from {{ ref('int_trading__bhavcopy_isins') }}
),

membership as (
    select * from {{ ref('int_trading__index_membership') }}
),

universe as (
    select company_key, upper(nse_symbol) as symbol, name
    from {{ ref('dim_india_company') }}
    where nse_symbol is not null
),

not_listed as (
    select u.symbol, 'NOT_IN_SYMBOL_MASTER' as mismatch, u.company_key, null::text as master_isin,
        null::text as other_isin, 'universe company ' || u.name || ' is not in EQUITY_L.csv' as detail
    from universe as u
    left join equities as e on e.symbol = u.symbol
    where e.symbol is null
),

bhavcopy as (
    select e.symbol, 'ISIN_DIFFERS_FROM_BHAVCOPY' as mismatch, u.company_key, e.isin as master_isin,
        b.bhavcopy_isin as other_isin, 'bhavcopy of ' || b.bhavcopy_date || ' prints ' || b.bhavcopy_isin as detail
    from equities as e
    join bhavcopy_isins as b on b.symbol = e.symbol
    left join universe as u on u.symbol = e.symbol
    where b.bhavcopy_isin <> e.isin
),

index_list as (
    select e.symbol, 'ISIN_DIFFERS_FROM_INDEX_LIST' as mismatch, u.company_key, e.isin as master_isin,
        m.index_isin as other_isin, m.index_memberships || ' list ' || m.index_isin as detail
    from equities as e
    join membership as m on m.symbol = e.symbol
    left join universe as u on u.symbol = e.symbol
    where m.index_isin <> e.isin
)

select * from not_listed
union all
select * from bhavcopy
union all
select * from index_list
