-- Per NSE symbol: which of the loaded indices it belongs to and the industry NSE Indices gives it
-- (the broadest list's label when lists disagree, NIFTY 500 covering most symbols).
select
    symbol,
    bool_or(index_name = 'NIFTY 50') as in_nifty_50,
    bool_or(index_name = 'NIFTY NEXT 50') as in_nifty_next_50,
    bool_or(index_name = 'NIFTY 500') as in_nifty_500,
    string_agg(index_name, ', ' order by index_name) as index_memberships,
    (array_agg(industry order by (index_name = 'NIFTY 500') desc, index_name))[1] as index_industry,
    (array_agg(isin order by (index_name = 'NIFTY 500') desc, index_name))[1] as index_isin
from {{ ref('stg_nse__index_constituents') }}
group by symbol
