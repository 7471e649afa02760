{{ config(indexes=[{'columns': ['session_date'], 'unique': True}]) }}
-- Every NYSE session 1990-2035: weekdays minus the closures seed (the same XNYS calendar the daily
-- partitions use). The "as of" marts emit one row per ticker and session; the index lets their range joins
-- (a view valid from one date to another) find the sessions without scanning the calendar per row.
select day::date as session_date
from generate_series('1990-01-02'::date, '2035-12-31'::date, interval '1 day') as day
where extract(isodow from day) < 6
  and day::date not in (select closed_date from {{ ref('us_market_closures') }})
