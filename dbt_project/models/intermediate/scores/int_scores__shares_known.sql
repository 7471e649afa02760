-- Shares outstanding as public on each day: the cover-page dei:EntityCommonStockSharesOutstanding of each
-- filing, valid from its filing date until the next filing reports a count. The value factor multiplies
-- the session's close by this count (price x shares from the latest filing), so market cap never mixes a
-- per-share figure from before a split with a price from after it.
with facts as (
    select distinct on (cik, filed)
        cik, filed, period_end as shares_as_of, value::double precision as shares_outstanding
    from {{ ref('stg_sec__facts') }}
    where taxonomy = 'dei' and concept = 'EntityCommonStockSharesOutstanding' and unit = 'shares' and value > 0
    order by cik, filed, period_end desc, value desc
)

select
    cik,
    shares_outstanding,
    shares_as_of,
    filed as known_from,
    lead(filed) over (partition by cik order by filed) as known_until
from facts
