-- The ISIN the latest bhavcopy prints for each symbol's EQ series (the valuation domain's daily prices):
-- a second NSE file to check the symbol master's ISIN against (empty when the valuation assets never ran).
select distinct on (nse_symbol)
    upper(trim(nse_symbol)) as symbol,
    upper(trim(isin)) as bhavcopy_isin,
    trade_date as bhavcopy_date
from {{ source_or_empty('valuation', 'nse_bhavcopy', {
    'nse_symbol': 'text', 'isin': 'text', 'trade_date': 'date', 'series': 'text'}) }}
where series = 'EQ' and isin is not null and trim(isin) <> ''
order by nse_symbol, trade_date desc
