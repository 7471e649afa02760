-- US companies in the universe with their SIC mapped to a sector by the curated seed
-- (the most specific SIC range wins, e.g. 2834 pharmaceuticals inside 2800-2899 chemicals).
with companies as (
    select * from {{ ref('stg_sec__companies') }}
),

sic_map as (
    select * from {{ ref('sic_sector_map') }}
),

matched as (
    select distinct on (companies.ticker)
        companies.ticker,
        companies.cik,
        companies.name,
        companies.exchange,
        companies.sic,
        companies.sic_description,
        sic_map.sector,
        sic_map.industry_group,
        companies.fiscal_year_end
    from companies
    left join sic_map on companies.sic between sic_map.sic_from and sic_map.sic_to
    order by companies.ticker, (sic_map.sic_to - sic_map.sic_from) asc nulls last
)

select
    ticker,
    cik,
    name,
    exchange,
    sic,
    sic_description,
    coalesce(sector, 'Unclassified') as sector,
    industry_group,
    fiscal_year_end
from matched
