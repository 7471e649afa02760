"""The IC Score's input marts written straight into Postgres at any scale, for the benchmark and the
point-in-time test: the row-level tables the scores models read (dim_company, statements and ratios,
dei share counts, prices, split factors, valuation ratios, indicators, Form 4 trades, 13F holdings,
analyst ratings, news sentiment), with only the columns those models use. Generating 4,600 companies' payloads and running every domain
would time the whole platform; this times the scores models alone.

Rows are random but shaped like the real marts: weekday sessions, quarterly statements filed 40 days
after the period end (10-K: 60), a 10-K/10-Q cover-page share count per filing, 13F holdings filed by
the deadline, a rating every few weeks, a few articles a week. The generated tickers never split (no
fct_split_factors rows: factor 1), so fct_valuation_ratios is the close x the latest share count filed by
the day, with the statements filed by the day (write_valuation_ratios); a test writes its split by hand.
"""

from __future__ import annotations

from datetime import date

import psycopg

SECTORS = ("Information Technology", "Health Care", "Financials", "Industrials", "Energy",
           "Consumer Discretionary", "Consumer Staples", "Utilities", "Materials", "Communication Services")

DDL = """
create schema if not exists marts;
create schema if not exists staging;
drop table if exists marts.dim_company, marts.fct_daily_prices, marts.fct_financial_statements,
    marts.fct_financial_ratios, marts.fct_technical_indicators, marts.fct_analyst_ratings,
    marts.fct_insider_trades, marts.fct_institutional_holdings, marts.fct_news_sentiment, staging.stg_sec__facts,
    marts.fct_split_factors, marts.fct_valuation_ratios cascade;
create table marts.dim_company (ticker text primary key, cik bigint, sector text not null);
create table marts.fct_daily_prices (ticker text, trade_date date, close double precision, primary key (ticker, trade_date));
create table marts.fct_financial_statements (
    cik bigint, fiscal_year integer, fiscal_period text, period_end date, filed date, revenue numeric,
    net_income numeric, eps_diluted numeric, free_cash_flow numeric, shareholders_equity numeric,
    current_assets numeric, current_liabilities numeric, operating_income numeric, interest_expense numeric,
    primary key (cik, fiscal_year, fiscal_period));
create table marts.fct_financial_ratios (
    cik bigint, fiscal_year integer, fiscal_period text, revenue_ttm numeric, net_income_ttm numeric,
    total_debt numeric, debt_to_equity double precision, current_ratio double precision, gross_margin double precision,
    operating_margin double precision, net_margin double precision, roe double precision, roa double precision,
    primary key (cik, fiscal_year, fiscal_period));
create table staging.stg_sec__facts (cik bigint, taxonomy text, concept text, unit text, filed date, period_end date, value numeric);
create table marts.fct_split_factors (ticker text, valid_from date, valid_to date, cumulative_factor double precision);
create table marts.fct_valuation_ratios (
    ticker text, cik bigint, trade_date date, close double precision, split_factor double precision, filed date,
    eps_ttm double precision, shares_outstanding double precision, revenue_ttm double precision,
    shareholders_equity double precision, market_cap double precision, pe_ratio double precision,
    pb_ratio double precision, ps_ratio double precision, primary key (ticker, trade_date));
create table marts.fct_technical_indicators (
    ticker text, trade_date date, rsi_14 double precision, macd_hist double precision, sma_50 double precision,
    sma_200 double precision, return_1m double precision, return_3m double precision, return_6m double precision,
    return_12m double precision, primary key (ticker, trade_date));
create table marts.fct_analyst_ratings (rating_id text, ticker text, rating_date date, firm text,
    rating_numeric integer, adjusted_price_target double precision);
create table marts.fct_insider_trades (ticker text, filing_date date, transaction_code text, is_derivative boolean,
    acquired_disposed text, total_value numeric);
create table marts.fct_institutional_holdings (ticker text, report_period date, filer_cik bigint, shares bigint,
    share_type text, put_call text, filing_date date);
create table marts.fct_news_sentiment (ticker text, published_date date, sentiment_score double precision);
"""


def write_score_inputs(conn: psycopg.Connection, *, companies: int, start: date, end: date, seed: float = 0.42) -> None:
    """``companies`` tickers (T0001...) over the weekday sessions ``start``..``end``, history before it."""
    conn.execute(DDL)
    conn.execute("select setseed(%s)", (seed,))
    params = {"n": companies, "start": start, "end": end, "sectors": list(SECTORS)}
    statements = [
        # tickers spread over the sectors; every tenth sector-less company is a thin sector of its own
        """insert into marts.dim_company
           select 'T' || lpad(i::text, 4, '0'), 9000000 + i,
                  case when i %% 97 = 0 then 'Thin Sector' else (%(sectors)s::text[])[1 + i %% 10] end
           from generate_series(1, %(n)s) as i""",
        # weekday sessions; prices a random walk from 12 months before start
        """create temporary table sessions on commit drop as
           select d::date as trade_date from generate_series(%(start)s::date - 380, %(end)s::date, interval '1 day') as d
           where extract(isodow from d) < 6""",
        """insert into marts.fct_daily_prices
           select ticker, trade_date,
                  (20 + 80 * hash_start) * exp(sum(shock) over (partition by ticker order by trade_date))
           from (select c.ticker, s.trade_date, (random() - 0.5) * 0.04 as shock,
                        ((c.cik % 1000) / 1000.0) as hash_start
                 from marts.dim_company c cross join sessions s) as walk""",
        """insert into marts.fct_technical_indicators
           select ticker, trade_date, 20 + 60 * random(), (random() - 0.5) * 2, close * (0.9 + 0.2 * random()),
                  close * (0.8 + 0.4 * random()), (random() - 0.5) * 0.2, (random() - 0.5) * 0.3,
                  (random() - 0.5) * 0.4, (random() - 0.5) * 0.6
           from marts.fct_daily_prices where trade_date >= %(start)s""",
        # six fiscal years of quarters (calendar fiscal year) and the year rows
        """create temporary table periods on commit drop as
           select c.cik, y as fiscal_year, 'Q' || q as fiscal_period,
                  (make_date(y, 3 * q, 1) + interval '1 month' - interval '1 day')::date as period_end,
                  (make_date(y, 3 * q, 1) + interval '1 month' - interval '1 day' + interval '40 days')::date as filed,
                  (50 + 950 * random()) * 1e6 as revenue, (random() - 0.25) * 0.3 as margin
           from marts.dim_company c
           cross join generate_series(extract(year from %(start)s::date)::int - 6, extract(year from %(end)s::date)::int) as y
           cross join generate_series(1, 4) as q""",
        """insert into marts.fct_financial_statements
           select cik, fiscal_year, fiscal_period, period_end, filed, revenue, revenue * margin, revenue * margin / 1e8,
                  revenue * margin * 0.8, revenue * (random() * 2 - 0.1), revenue * 0.6, revenue * 0.4,
                  revenue * (margin + 0.05), case when cik %% 7 <> 0 then revenue * 0.01 * random() end
           from periods where filed <= %(end)s
           union all
           select cik, fiscal_year, 'FY', max(period_end), max(period_end) + 60, sum(revenue), sum(revenue * margin),
                  sum(revenue * margin) / 1e8, sum(revenue * margin) * 0.8, sum(revenue) * random(), sum(revenue) * 0.6,
                  sum(revenue) * 0.4, sum(revenue * (margin + 0.05)), case when cik %% 7 <> 0 then sum(revenue) * 0.01 * random() end
           from periods group by cik, fiscal_year having max(period_end) + 60 <= %(end)s""",
        """insert into marts.fct_financial_ratios
           select cik, fiscal_year, fiscal_period, revenue * 4, net_income * 4, revenue * random(), random() * 3,
                  0.5 + random() * 2.5, 0.2 + random() * 0.6, (random() - 0.3) * 0.5, net_income / nullif(revenue, 0),
                  (random() - 0.2) * 0.4, (random() - 0.2) * 0.15
           from marts.fct_financial_statements""",
        """insert into staging.stg_sec__facts
           select cik, 'dei', 'EntityCommonStockSharesOutstanding', 'shares', filed, period_end + 30,
                  round((20 + 500 * random()) * 1e6)
           from marts.fct_financial_statements where fiscal_period <> 'Q4'""",
        """insert into marts.fct_analyst_ratings
           select c.ticker || '-' || s.trade_date, c.ticker, s.trade_date, 'firm ' || (1 + floor(random() * 8))::int,
                  1 + floor(random() * 5)::int, p.close * (0.8 + 0.5 * random())
           from marts.dim_company c cross join sessions s
           join marts.fct_daily_prices p on p.ticker = c.ticker and p.trade_date = s.trade_date
           where random() < 0.05""",
        """insert into marts.fct_insider_trades
           select c.ticker, s.trade_date, case when random() < 0.4 then 'P' else 'S' end, false,
                  case when random() < 0.4 then 'A' else 'D' end, round((1e4 + 1e6 * random())::numeric, 2)
           from marts.dim_company c cross join sessions s where random() < 0.02""",
        """insert into marts.fct_institutional_holdings
           select c.ticker, q, f, (1e4 + 5e6 * random())::bigint, 'SH', null, q + (1 + floor(random() * 44))::int
           from marts.dim_company c
           cross join lateral (
               select (quarter_start - interval '1 day')::date as q
               from generate_series(date_trunc('quarter', %(start)s::date - 400), %(end)s::date, interval '3 months')
                   as quarter_start
           ) as quarters
           cross join generate_series(1, 6) as f
           where q + 45 <= %(end)s""",
        """insert into marts.fct_news_sentiment
           select c.ticker, s.trade_date, random() * 2 - 1
           from marts.dim_company c cross join sessions s where random() < 0.3""",
    ]
    for statement in statements:
        conn.execute(statement, params if "%(" in statement else None)
    write_valuation_ratios(conn)
    conn.execute("analyze")
    conn.commit()


def write_valuation_ratios(conn: psycopg.Connection, since: date | None = None) -> None:
    """marts.fct_valuation_ratios of the sessions from ``since`` (all when None), from the tables above: per
    ticker and session the latest statement row and cover-page share count filed on or before it (rows
    once written stay, as in the incremental mart). Without splits the as-traded close is the close."""
    conn.execute(
        """delete from marts.fct_valuation_ratios where trade_date >= coalesce(%(since)s::date, '-infinity')""",
        {"since": since})
    conn.execute(
        """insert into marts.fct_valuation_ratios
           with statements as (
               select s.cik, s.filed as known_from,
                      lead(s.filed) over (partition by s.cik order by s.filed, s.period_end, s.fiscal_period = 'FY')
                          as known_until,
                      r.revenue_ttm::double precision as revenue_ttm, r.net_income_ttm::double precision as net_income_ttm,
                      s.shareholders_equity::double precision as shareholders_equity
               from marts.fct_financial_statements s
               join marts.fct_financial_ratios r using (cik, fiscal_year, fiscal_period)
           ),
           shares as (
               select cik, filed as known_from, lead(filed) over (partition by cik order by filed) as known_until,
                      value::double precision as shares_outstanding
               from staging.stg_sec__facts where taxonomy = 'dei' and concept = 'EntityCommonStockSharesOutstanding'
           ),
           known as (
               select c.ticker, c.cik, p.trade_date, p.close, st.known_from as filed, st.revenue_ttm, st.net_income_ttm,
                      st.shareholders_equity, sh.shares_outstanding, p.close * sh.shares_outstanding as market_cap
               from marts.fct_daily_prices p
               join marts.dim_company c using (ticker)
               join statements st on st.cik = c.cik and st.known_from <= p.trade_date
                   and (st.known_until is null or p.trade_date < st.known_until)
               left join shares sh on sh.cik = c.cik and sh.known_from <= p.trade_date
                   and (sh.known_until is null or p.trade_date < sh.known_until)
               where p.trade_date >= coalesce(%(since)s::date, '-infinity')
           )
           select ticker, cik, trade_date, close, 1.0, filed, net_income_ttm / shares_outstanding, shares_outstanding,
                  revenue_ttm, shareholders_equity, market_cap,
                  case when net_income_ttm > 0 then market_cap / net_income_ttm end,
                  case when shareholders_equity > 0 then market_cap / shareholders_equity end,
                  case when revenue_ttm > 0 then market_cap / revenue_ttm end
           from known""",
        {"since": since})
