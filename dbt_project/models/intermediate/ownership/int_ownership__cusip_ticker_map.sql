-- CUSIP -> ticker for the securities 13F filers hold, from what the platform knows:
--   1. the curated `cusip_ticker_map` seed (exact CUSIPs, e.g. share classes of one issuer), then
--   2. the issuer name on the 13F rows matched to exactly one universe company's registrant name
--      (normalized: upper case, punctuation dropped); the company's primary ticker is used.
-- A name that several universe companies share maps nothing, and CUSIPs of issuers outside the
-- universe (ETFs, funds, foreign issuers) stay unmapped: their ticker is NULL downstream.
with universe as (
    select ticker, cik, name, is_primary_ticker from {{ ref('stg_sec__companies') }}
),

primary_ticker as (
    select distinct on (cik) cik, ticker
    from universe
    order by cik, is_primary_ticker desc, ticker
),

unique_names as (
    select {{ normalized_name('name') }} as name_key, min(cik) as cik
    from universe
    group by 1
    having count(distinct cik) = 1
),

held as (
    select cusip, mode() within group (order by issuer_name) as issuer_name
    from {{ ref('stg_sec__13f_holdings') }}
    group by cusip
),

seed as (
    select * from {{ ref('cusip_ticker_map') }}
),

seeded as (
    select
        upper(seed.cusip) as cusip,
        upper(seed.ticker) as ticker,
        universe.cik,
        'seed' as match_method
    from seed
    left join universe on universe.ticker = upper(seed.ticker)
),

by_name as (
    select held.cusip, primary_ticker.ticker, primary_ticker.cik, 'issuer_name' as match_method
    from held
    inner join unique_names on unique_names.name_key = {{ normalized_name('held.issuer_name') }}
    inner join primary_ticker on primary_ticker.cik = unique_names.cik
    where held.cusip not in (select cusip from seeded)
)

select cusip, ticker, cik, match_method from seeded
union all
select cusip, ticker, cik, match_method from by_name
