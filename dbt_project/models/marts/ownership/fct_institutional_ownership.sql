-- Institutional ownership per ticker and quarter from the 13F holdings: holders and shares count only
-- long share positions (share type SH, no put/call); option exposure is reported beside them.
-- Shares outstanding: the latest dei:EntityCommonStockSharesOutstanding filed on or before the quarter
-- end (what was known then); NULL where the company reports none. Quarter-over-quarter changes compare
-- with the immediately preceding calendar quarter only (NULL when the ticker has no row for it).
with holdings as (
    select * from {{ ref('fct_institutional_holdings') }}
    where ticker is not null
),

shares_outstanding_facts as (
    select cik, value, filed, period_end
    from {{ ref('stg_sec__facts') }}
    where taxonomy = 'dei' and concept = 'EntityCommonStockSharesOutstanding'
),

longs as (
    select
        ticker,
        quarter,
        report_period,
        max(issuer_cik) as cik,
        count(distinct filer_cik) as n_holders,
        sum(shares) as total_shares_held,
        sum(market_value) as total_market_value
    from holdings
    where share_type = 'SH' and put_call is null
    group by ticker, quarter, report_period
),

options as (
    select
        ticker,
        quarter,
        sum(shares) filter (where put_call = 'PUT') as put_shares,
        sum(shares) filter (where put_call = 'CALL') as call_shares
    from holdings
    where put_call is not null
    group by ticker, quarter
),

with_outstanding as (
    select
        longs.*,
        outstanding.value as shares_outstanding,
        outstanding.filed as shares_outstanding_filed
    from longs
    left join lateral (
        select facts.value, facts.filed
        from shares_outstanding_facts as facts
        where facts.cik = longs.cik
            and facts.filed <= longs.report_period
        order by facts.filed desc, facts.period_end desc
        limit 1
    ) as outstanding on true
),

with_previous as (
    select
        *,
        lag(report_period) over by_ticker as previous_period,
        lag(n_holders) over by_ticker as previous_holders,
        lag(total_shares_held) over by_ticker as previous_shares_held
    from with_outstanding
    window by_ticker as (partition by ticker order by report_period)
)

select
    with_previous.ticker,
    with_previous.cik,
    with_previous.quarter,
    with_previous.report_period,
    with_previous.n_holders,
    with_previous.total_shares_held,
    with_previous.total_market_value,
    coalesce(options.put_shares, 0) as put_shares,
    coalesce(options.call_shares, 0) as call_shares,
    with_previous.shares_outstanding,
    with_previous.shares_outstanding_filed,
    100 * {{ safe_divide('with_previous.total_shares_held', 'with_previous.shares_outstanding') }}
        as pct_of_shares_outstanding,
    case when is_prior then with_previous.n_holders - with_previous.previous_holders end as holders_change_qoq,
    case when is_prior then with_previous.total_shares_held - with_previous.previous_shares_held end
        as shares_held_change_qoq,
    case when is_prior then 100 * {{ safe_divide(
        'with_previous.total_shares_held - with_previous.previous_shares_held',
        'with_previous.previous_shares_held') }} end as shares_held_change_pct_qoq
from with_previous
cross join lateral (
    select with_previous.previous_period
        = (date_trunc('quarter', with_previous.report_period) - interval '1 day')::date as is_prior
) as prior
left join options using (ticker, quarter)
