with universe as (
    select * from {{ source('india_analytics', 'india_universe') }}
)

select
    company_key,
    nse_symbol,
    bse_code,
    accord_code,
    name,
    cd_sector,
    cd_industry,
    valuation_group,
    valuation_subgroup,
    market_cap,
    valuation_frequency,
    alpha_config_id,
    selection_rank,
    rank_score,
    dq_score,
    target,
    document,
    _fetched_at
from universe
