-- Institutional ownership per ticker and quarter as it was public: only 13F long share positions filed by
-- the filing deadline (45 days after the quarter end) count, and the quarter is known from the day after
-- that deadline until the next quarter's is. Late filers are left out so a quarter's total never grows
-- after it became the score's input (point in time). Positions are counted in the share basis of the quarter
-- end; split_factor (fct_split_factors at the quarter end) lets the quarter-over-quarter change and the
-- percent of shares outstanding (fct_ic_score_inputs) compare them across a split.
{% set deadline = 45 %}
with holdings as (
    select ticker, report_period, filer_cik, shares
    from {{ ref('fct_institutional_holdings') }}
    where ticker is not null and share_type = 'SH' and put_call is null
      and filing_date <= report_period + {{ deadline }}
),

quarters as (
    select
        ticker,
        report_period,
        (report_period + {{ deadline + 1 }})::date as known_from,
        count(distinct filer_cik) as holders,
        sum(shares)::double precision as shares_held
    from holdings
    group by ticker, report_period
),

with_factor as (
    select quarters.*, coalesce(factors.cumulative_factor, 1) as split_factor
    from quarters
    left join (select * from {{ ref('fct_split_factors') }}) as factors
        on factors.ticker = quarters.ticker
        and quarters.report_period >= factors.valid_from and quarters.report_period < factors.valid_to
),

with_previous as (
    select
        with_factor.*,
        lag(report_period) over by_ticker as previous_period,
        -- the previous quarter's positions in this quarter's share basis
        lag(shares_held / split_factor) over by_ticker * split_factor as previous_shares_held,
        lead(known_from) over by_ticker as known_until
    from with_factor
    window by_ticker as (partition by ticker order by report_period)
)

select
    with_previous.ticker,
    with_previous.report_period,
    with_previous.known_from,
    with_previous.known_until,
    with_previous.holders,
    with_previous.shares_held,
    with_previous.split_factor,
    case when with_previous.previous_period
        = (date_trunc('quarter', with_previous.report_period) - interval '1 day')::date
        then {{ safe_divide('with_previous.shares_held - with_previous.previous_shares_held',
                            'with_previous.previous_shares_held') }}
    end as shares_held_change_qoq
from with_previous
