"""Partition definitions shared across defs/ (they are not definitions themselves, so they live here)."""

from __future__ import annotations

import datetime as _dt
from zoneinfo import ZoneInfo as _ZoneInfo

import dagster as dg

from valuation_platform.sources.sec.calendar import holidays_between as _holidays_between
from valuation_platform.sources.market_calendar import weekday_closures as _weekday_closures

# One partition per US company (ticker), fed by the universe asset; ~4,600 keys, under the UI's comfort limit.
SEC_COMPANIES = dg.DynamicPartitionsDefinition(name="sec_companies")

# Option chains: one partition per weekday (key = the snapshot's trading date in its own market's time
# zone; Friday's window also takes a weekend stamp). ~260 keys a year from 2020. end_offset=1 makes
# today's partition exist while the day's intraday snapshots arrive. Exchange holidays stay listed:
# the schedules skip them, and a snapshot fetched on one carries the previous session's timestamp, so
# it lands in that session's partition, never in the holiday's (valuation_platform.pipelines.options.markets).
OPTIONS_DAILY = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 * * 1-5", start="2020-01-01", fmt="%Y-%m-%d", timezone="UTC", end_offset=1
)

# Form 4 filings: one partition per EDGAR business day (key = the filing date, US/Eastern): weekdays
# minus federal holidays (valuation_platform.sources.sec.calendar), ~250 keys a year from 2004. end_offset=1
# makes today's partition exist while the day's filings arrive (the current-filings sensor targets it).
SEC_FILING_DAYS = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 * * 1-5",
    start="2004-01-01",
    fmt="%Y-%m-%d",
    timezone="America/New_York",
    end_offset=1,
    exclusions=[
        _dt.datetime.combine(day, _dt.time(0), _ZoneInfo("America/New_York"))
        for day in _holidays_between(_dt.date(2004, 1, 1), _dt.date(2045, 12, 31))
    ],
)

# 13F report periods: one partition per calendar quarter, key = the quarter's first day (2026-07-01 is the
# quarter ending 2026-09-30). Report periods start with the XML-era filings (2013 Q2).
THIRTEENF_QUARTERS = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1,4,7,10 *", start="2013-04-01", fmt="%Y-%m-%d", timezone="UTC"
)

# US equity sessions (prices, technicals, news, analyst ratings): one partition per NYSE session, key = the
# session date (America/New_York): weekdays minus NYSE holidays and ad-hoc closures (exchange_calendars
# XNYS, valuation_platform.sources.market_calendar), ~250 keys a year from 2010. end_offset=1 makes today's
# session exist from midnight New York, so intraday news and the evening price run can target it.
US_TRADING_DAYS = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 * * 1-5",
    start="2010-01-04",
    fmt="%Y-%m-%d",
    timezone="America/New_York",
    end_offset=1,
    exclusions=[
        _dt.datetime.combine(day, _dt.time(0), _ZoneInfo("America/New_York"))
        for day in _weekday_closures(_dt.date(2010, 1, 4), _dt.date(2035, 12, 31))
    ],
)

# India macro series: one partition per reference month (key = the month's first day, 2026-10-01 is
# October 2026), from the 2011-12 base year of the national accounts. Quarterly series land in the
# partition of the quarter's first month; daily market series in their own month. end_offset=1 makes
# the current month exist while its daily market data arrives.
INDIA_MACRO_MONTHS = dg.MonthlyPartitionsDefinition(
    start_date="2011-04-01", timezone="Asia/Kolkata", end_offset=1
)

# India equity sessions (bhavcopy, valuations): one partition per weekday in Asia/Kolkata, key = the trade
# date, from 2015 (the screener exports' first fiscal years). There is no NSE holiday calendar in the
# project yet, so exchange holidays stay listed: a holiday's bhavcopy does not exist and its valuation
# uses the last close within a week. end_offset=1 makes today's session exist for the 20:00 IST run.
INDIA_TRADING_DAYS = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 * * 1-5", start="2015-01-01", fmt="%Y-%m-%d", timezone="Asia/Kolkata", end_offset=1
)
