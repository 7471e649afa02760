-- Insider transactions from Form 4 (non-derivative and derivative tables), amendments preferred over
-- the filings they restate. `ticker` is the filing's issuerTradingSymbol, else the universe's primary
-- ticker for the issuer CIK.
with trades as (
    select * from {{ ref('int_ownership__form4_effective') }}
    where record_type = 'transaction'
),

universe_ticker as (
    select distinct on (cik) cik, ticker
    from {{ ref('stg_sec__companies') }}
    order by cik, is_primary_ticker desc, ticker
)

select
    trades.accession,
    trades.row_number,
    coalesce(trades.ticker, universe_ticker.ticker) as ticker,
    trades.issuer_cik as cik,
    trades.issuer_name,
    universe_ticker.cik is not null as in_universe,
    trades.filing_date,
    trades.document_type,
    trades.is_amendment,
    trades.period_of_report,
    trades.insider_cik,
    trades.insider_name,
    trades.insider_title,
    trades.n_reporting_owners,
    trades.security_title,
    trades.transaction_date,
    trades.transaction_code,
    trades.acquired_disposed,
    trades.shares,
    trades.price_per_share,
    trades.total_value,
    trades.shares_owned_after,
    trades.direct_indirect,
    trades.is_derivative
from trades
left join universe_ticker on universe_ticker.cik = trades.issuer_cik
