-- Each universe company with the valuation group/subgroup the curated mapping gives its (cd_sector,
-- cd_industry): the exact row, else the sector's '*' row (the rule the Python selection applies), so the
-- selection's grouping is re-derived in SQL and tested against it.
with universe as (
    select
        *,
        lower(regexp_replace(trim(cd_sector), '\s+', ' ', 'g')) as sector_key,
        lower(regexp_replace(trim(cd_industry), '\s+', ' ', 'g')) as industry_key
    from {{ ref('stg_india__universe') }}
),

mapping as (
    select
        lower(regexp_replace(trim(cd_sector), '\s+', ' ', 'g')) as sector_key,
        case when trim(cd_industry) = '*' then '*'
             else lower(regexp_replace(trim(cd_industry), '\s+', ' ', 'g')) end as industry_key,
        valuation_group,
        valuation_subgroup
    from {{ ref('india_sector_group_mapping') }}
)

select
    universe.*,
    coalesce(exact.valuation_group, sector_default.valuation_group) as mapped_group,
    coalesce(exact.valuation_subgroup, sector_default.valuation_subgroup) as mapped_subgroup,
    case
        when exact.valuation_group is not null then 'industry'
        when sector_default.valuation_group is not null then 'sector_default'
    end as mapping_rule
from universe
left join mapping as exact
    on exact.sector_key = universe.sector_key and exact.industry_key = universe.industry_key
left join mapping as sector_default
    on sector_default.sector_key = universe.sector_key and sector_default.industry_key = '*'
