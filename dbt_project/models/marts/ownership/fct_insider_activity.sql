-- Net insider buying and selling per ticker over the 30 and 90 calendar days ending on `as_of_date`:
-- open-market (or private) purchases (code P) and sales (code S) of non-derivative securities only;
-- grants, option exercises, tax withholding and gifts are not buying or selling.
-- `as_of_date` is the dbt var `insider_activity_as_of` (YYYY-MM-DD) when set, else each ticker's latest
-- filing date. Only trades filed by then count (what was known on that date). A window of N days holds
-- transaction dates in (as_of_date - N, as_of_date].
{%- set as_of = var('insider_activity_as_of', none) %}
{%- set windows = [30, 90] %}

with trades as (
    select * from {{ ref('fct_insider_trades') }}
    where ticker is not null
),

anchors as (
    select
        ticker,
        max(cik) as cik,
        max(filing_date) as latest_filing_date,
        {% if as_of %}'{{ as_of }}'::date{% else %}max(filing_date){% endif %} as as_of_date
    from trades
    {% if as_of %}where filing_date <= '{{ as_of }}'::date{% endif %}
    group by ticker
),

open_market as (
    select
        anchors.ticker,
        trades.transaction_date,
        trades.transaction_code,
        trades.shares,
        trades.total_value,
        trades.insider_cik,
        anchors.as_of_date - trades.transaction_date as days_before
    from anchors
    inner join trades
        on trades.ticker = anchors.ticker
        and trades.filing_date <= anchors.as_of_date
        and trades.transaction_date <= anchors.as_of_date
        and trades.transaction_date > anchors.as_of_date - {{ windows | max }}
    where not trades.is_derivative
        and trades.transaction_code in ('P', 'S')
)

select
    anchors.ticker,
    anchors.cik,
    anchors.as_of_date,
    anchors.latest_filing_date
    {%- for days in windows %},
    coalesce(sum(shares) filter (where transaction_code = 'P' and days_before < {{ days }}), 0) as shares_bought_{{ days }}d,
    coalesce(sum(shares) filter (where transaction_code = 'S' and days_before < {{ days }}), 0) as shares_sold_{{ days }}d,
    coalesce(sum(case transaction_code when 'P' then shares else -shares end)
        filter (where days_before < {{ days }}), 0) as net_shares_{{ days }}d,
    coalesce(sum(total_value) filter (where transaction_code = 'P' and days_before < {{ days }}), 0) as value_bought_{{ days }}d,
    coalesce(sum(total_value) filter (where transaction_code = 'S' and days_before < {{ days }}), 0) as value_sold_{{ days }}d,
    coalesce(sum(case transaction_code when 'P' then total_value else -total_value end)
        filter (where days_before < {{ days }}), 0) as net_value_{{ days }}d,
    count(*) filter (where transaction_code = 'P' and days_before < {{ days }}) as buy_trades_{{ days }}d,
    count(*) filter (where transaction_code = 'S' and days_before < {{ days }}) as sell_trades_{{ days }}d,
    count(distinct insider_cik) filter (where days_before < {{ days }}) as insiders_{{ days }}d
    {%- endfor %}
from anchors
left join open_market using (ticker)
group by anchors.ticker, anchors.cik, anchors.as_of_date, anchors.latest_filing_date
