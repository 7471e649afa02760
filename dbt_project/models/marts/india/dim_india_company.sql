-- The India company universe: one row per selected company, with its valuation group and subgroup.
with companies as (
    select * from {{ ref('int_india__company_mapping') }}
),

subgroups as (
    select * from {{ ref('india_valuation_subgroups') }}
)

select
    companies.company_key,
    companies.nse_symbol,
    companies.bse_code,
    companies.accord_code,
    companies.name,
    companies.cd_sector,
    companies.cd_industry,
    companies.valuation_group,
    companies.valuation_subgroup,
    subgroups.description as valuation_subgroup_description,
    companies.mapping_rule,
    companies.market_cap,
    companies.valuation_frequency,
    companies.alpha_config_id,
    companies.selection_rank,
    companies.dq_score,
    companies.document as classification_document
from companies
left join subgroups
    on subgroups.valuation_group = companies.valuation_group
    and subgroups.valuation_subgroup = companies.valuation_subgroup
