-- Cumulative split factor per ticker as date ranges: factor = product of split_to / split_from over every
-- split of the ticker executed on or before the date (1 before its first split). A per-share figure
-- known in the share basis of day a is worth value x factor(a) / factor(b) in the basis of day b; a
-- share count the inverse. Every ticker with a split has ranges from 0001-01-01 to 9999-12-31 without
-- gaps; a ticker without one has no row (factor 1 everywhere: callers coalesce).
-- Ratios are rounded to 12 significant digits after the exp/ln product so 4 stays 4.
with splits as (
    select ticker, execution_date, split_to / split_from as ratio
    from {{ ref('stg_polygon__splits') }}
),

cumulated as (
    select
        ticker,
        execution_date as valid_from,
        lead(execution_date) over (partition by ticker order by execution_date) as next_split,
        exp(sum(ln(ratio)) over (partition by ticker order by execution_date)) as factor
    from splits
),

ranges as (
    select ticker, '0001-01-01'::date as valid_from, min(valid_from) as valid_to, 1::double precision as factor
    from cumulated
    group by ticker
    union all
    select ticker, valid_from, coalesce(next_split, '9999-12-31'::date) as valid_to, factor
    from cumulated
)

select
    ticker,
    valid_from,
    valid_to,
    round(factor::numeric, 12 - floor(log(factor::numeric))::int)::double precision as cumulative_factor
from ranges
