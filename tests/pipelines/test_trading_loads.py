"""Trading loads on a real Postgres: NSE documents served from a mirror directory through the real HTTP
client, the real loaders, the real dbt models. Oracles: the real NSE files' own figures, counts read off the
served files, and windows worked out by hand."""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.support.dbt_build import dbt_build
from valuation_platform.pipelines.trading.calendar import load_corporate_calendar
from valuation_platform.pipelines.trading.deals import load_bulk_block_deals
from valuation_platform.pipelines.trading.flows import load_institutional_flows
from valuation_platform.pipelines.trading.insider import load_insider_trades
from valuation_platform.pipelines.trading.symbols import load_symbol_master
from valuation_platform.sources.http import HttpClient, mirror_relpath
from valuation_platform.sources.nse.corporate_calendar import EVENT_TYPES, calendar_request
from valuation_platform.sources.nse.fii_dii import FII_DII_URL
from valuation_platform.sources.nse.insider import insider_request
from valuation_platform.warehouse.bootstrap import ensure_tables
from valuation_platform.warehouse.connection import connect
from valuation_platform.warehouse.tables import trading

TABLES = [trading.NSE_EQUITY_LIST, trading.NSE_INDEX_CONSTITUENTS, trading.NSE_CORPORATE_EVENTS,
          trading.NSE_INSTITUTIONAL_FLOWS, trading.NSE_INSIDER_TRADES, trading.NSE_BULK_BLOCK_DEALS]
DAY = date(2020, 6, 19)
FIXTURE_CALENDAR = {"BOARD_MEETING": "nseindiaapi_board_meetings.json",
                    "FINANCIAL_RESULTS": "nseindiaapi_financial_results.json",
                    "CORPORATE_ACTION": "nseindiaapi_corporate_actions.json"}


def _serve(root: Path, url: str, params: dict | None, body: bytes) -> None:
    path = root / mirror_relpath(url, params)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)


@pytest.fixture
def conn(fresh_db):
    with connect(fresh_db) as c:
        ensure_tables(c, TABLES)
        yield c


def _count(conn, table: str) -> int:
    return conn.execute(f"select count(*) from raw.{table}").fetchone()[0]


def test_real_insider_export_lands_a_malformed_row_is_quarantined_and_a_rerun_changes_nothing(
    shared_fixtures, conn, tmp_path
) -> None:
    lines = (shared_fixtures / "nse" / "CF-Insider-Trading-equities-19-Jun-2020.csv").read_bytes().split(b"\n")
    lines[31] = lines[31].replace(b'"5904"', b'"59O4"')  # the second record (file line 32) loses its quantity
    _serve(tmp_path, *insider_request(DAY, DAY), b"\n".join(lines))
    client = HttpClient(source_root=str(tmp_path))

    first = load_insider_trades(conn, client, [DAY.isoformat()], asset_key="nse_insider_trades")
    # 242 records in the real export, one broken: 241 land
    assert first["dagster/row_count"] == 241 and _count(conn, "nse_insider_trades") == 241
    quarantined = conn.execute("select document, field, reason from raw.quarantine "
                               "where asset_key = 'nse_insider_trades'").fetchall()
    document = mirror_relpath(*insider_request(DAY, DAY))
    assert quarantined == [(f"{document}#line 32", "line 32", "not a number: '59O4'")]
    row = conn.execute("select symbol, acquirer_name, quantity, value, transaction_type, broadcast_at "
                       "from raw.nse_insider_trades where line = 31").fetchone()
    assert row[:5] == ("LALPATHLAB", "Shankha Banerjee", 3150.0, 31500.0, "Buy")

    again = load_insider_trades(conn, client, [DAY.isoformat()], asset_key="nse_insider_trades")
    assert (again["nse_insider_trades/inserted"], again["nse_insider_trades/updated"],
            again["nse_insider_trades/unchanged"]) == (0, 0, 241)
    assert _count(conn, "nse_insider_trades") == 241
    assert conn.execute("select count(*) from raw.quarantine").fetchone()[0] == 1


def test_real_calendar_payloads_reach_the_events_mart(shared_fixtures, conn, fresh_db, tmp_path) -> None:
    for event_type in EVENT_TYPES:
        body = (shared_fixtures / "nse" / FIXTURE_CALENDAR[event_type]).read_bytes()
        _serve(tmp_path, *calendar_request(event_type, DAY, DAY), body)
    client = HttpClient(source_root=str(tmp_path))
    for _ in range(2):  # a re-run writes nothing new
        report = load_corporate_calendar(conn, client, [DAY.isoformat()], asset_key="nse_corporate_events")
    assert report["nse_corporate_events/unchanged"] == 3
    conn.commit()
    assert dbt_build(fresh_db, ["+fct_corporate_events"], tmp_path / "dbt") == []
    rows = conn.execute("select symbol, event_date, event_type, left(purpose, 40) from marts.fct_corporate_events "
                        "order by event_date").fetchall()
    # the payloads' own dates: GENSOL ex-date 17-Oct-2023, SIYSIL meeting 30-Oct-2023, RELIANCE results
    # broadcast 16-Jan-2025 15:29:51
    assert rows == [
        ("GENSOL", date(2023, 10, 17), "CORPORATE_ACTION", "Bonus 2:1"),
        ("SIYSIL", date(2023, 10, 30), "BOARD_MEETING", "SIYARAM SILK MILLS LIMITED has informed "),
        ("RELIANCE", date(2025, 1, 16), "FINANCIAL_RESULTS", "Third Quarter Quarterly results for 2024"),
    ]
    types = dict(conn.execute("select column_name, data_type from information_schema.columns where "
                              "table_schema = 'marts' and table_name = 'fct_corporate_events'").fetchall())
    assert (types["symbol"], types["event_date"], types["event_type"], types["purpose"]) == (
        "text", "date", "text", "text")


def _sessions(first: date, n: int) -> list[date]:
    days, day = [], first
    while len(days) < n:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def test_flow_windows_and_the_india_monthly_release_worked_by_hand(conn, fresh_db, tmp_path) -> None:
    # 21 sessions: the 20 weekdays of October 2026 (5th..30th) and Monday 2 November. FII/FPI nets 1, 2, ...,
    # 21 (buy 100 + k, sell 100); DII flat at +5 (its standard deviation is 0, so no z-score), and also on
    # Wednesday 30 September, so the history starts in September and October is a complete month.
    days = _sessions(date(2026, 10, 5), 21)
    assert days[19] == date(2026, 10, 30) and days[20] == date(2026, 11, 2)
    records = []
    for k, day in enumerate(days, start=1):
        stamp = f"{day.day:02d}-{day:%b}-{day.year}"
        records += [{"category": "FII/FPI *", "date": stamp, "buyValue": f"{100 + k:.2f}", "sellValue": "100.00",
                     "netValue": f"{k:.2f}"},
                    {"category": "DII **", "date": stamp, "buyValue": "55.00", "sellValue": "50.00",
                     "netValue": "5.00"}]
    records.insert(0, {"category": "DII **", "date": "30-Sep-2026", "buyValue": "55.00", "sellValue": "50.00",
                       "netValue": "5.00"})
    _serve(tmp_path, FII_DII_URL, None, json.dumps(records[::-1]).encode())  # NSE lists the newest first
    report = load_institutional_flows(conn, HttpClient(source_root=str(tmp_path)), asset_key="nse_institutional_flows")
    assert report["dagster/row_count"] == 43 and report["sessions_in_report"] == 22
    conn.commit()
    assert dbt_build(fresh_db, ["+fct_institutional_flows", "+int_india__flow_releases"], tmp_path / "dbt") == []

    def fii(day: date):
        return conn.execute("select net_5d, net_20d, net_mean_20d, net_stddev_20d, net_z_20d from "
                            "marts.fct_institutional_flows where category = 'FII/FPI' and trade_date = %s",
                            (day,)).fetchone()

    assert fii(days[3])[0] is None  # 4 sessions: no 5-session sum yet
    assert fii(days[4])[0] == pytest.approx(15.0)  # 1+2+3+4+5
    assert fii(days[18])[1:] == (None, None, None, None)  # 19 sessions: no 20-session window
    # 20th session: sum 1..20 = 210, mean 10.5; sample variance of 1..n is n(n+1)/12 = 20*21/12 = 35,
    # so sd = sqrt(35) = 5.91608; z = (20 - 10.5) / sqrt(35) = 1.60579; 5-session sum 16+..+20 = 90
    net_5d, net_20d, mean, sd, z = fii(days[19])
    assert (net_5d, net_20d, mean) == pytest.approx((90.0, 210.0, 10.5))
    assert sd == pytest.approx(math.sqrt(35)) and z == pytest.approx(9.5 / math.sqrt(35))
    assert z == pytest.approx(1.605793, abs=1e-6)
    # 21st session: window 2..21, sum 230, mean 11.5, the same spread; 5-session sum 17+..+21 = 95
    assert fii(days[20]) == pytest.approx((95.0, 230.0, 11.5, math.sqrt(35), 9.5 / math.sqrt(35)))
    dii = conn.execute("select net_20d, net_z_20d from marts.fct_institutional_flows "
                       "where category = 'DII' and trade_date = %s", (days[19],)).fetchone()
    assert dii == (pytest.approx(100.0), None)  # 20 x 5; flat series, no z-score

    # The India MACRO flow drivers read complete months: October (September before it, November begun) sums
    # to 1+..+20 = 210 (FII) and 20 x 5 = 100 (DII); September (history starts on its 30th) and November
    # are incomplete and left out.
    releases = conn.execute("select series_id, ref_period, value, frequency from intermediate.int_india__flow_releases "
                            "order by series_id").fetchall()
    assert releases == [("dii_cash_net_flows", date(2026, 10, 1), pytest.approx(100.0), "M"),
                        ("fii_cash_net_flows", date(2026, 10, 1), pytest.approx(210.0), "M")]


def test_generated_mirror_loads_and_reloads_idempotently(conn, tmp_path) -> None:
    from valuation_platform.generator.india import india_companies
    from valuation_platform.generator.trading import write_trading_data
    from valuation_platform.generator.valuation import sample_companies

    rows = india_companies(300, 150)
    sessions = [date(2026, 11, 19), date(2026, 11, 20)]
    write_trading_data(tmp_path, rows, sample_companies(rows, 60), sessions, as_of=sessions[-1])
    client = HttpClient(source_root=str(tmp_path))
    keys = [d.isoformat() for d in sessions]

    def run_all() -> list[dict]:
        return [load_symbol_master(conn, client, asset_key="nse_equity_list"),
                load_corporate_calendar(conn, client, keys, asset_key="nse_corporate_events"),
                load_institutional_flows(conn, client, asset_key="nse_institutional_flows"),
                load_insider_trades(conn, client, keys, asset_key="nse_insider_trades"),
                load_bulk_block_deals(conn, client, keys, asset_key="nse_bulk_block_deals")]

    first = run_all()
    # Oracle: the served EQUITY_L's data lines, read with the csv module: all but the broken-ISIN row land
    served = (tmp_path / mirror_relpath("https://nsearchives.nseindia.com/content/equities/EQUITY_L.csv")).read_text()
    listed = list(csv.reader(io.StringIO(served)))[1:]
    assert _count(conn, "nse_equity_list") == len(listed) - 1
    insider_files = [tmp_path / mirror_relpath(*insider_request(d, d)) for d in sessions]
    insider_records = sum(len(list(csv.reader(io.StringIO(f.read_text("utf-8-sig"))))) - 1 for f in insider_files)
    assert _count(conn, "nse_insider_trades") == insider_records - 1  # the first session's broken quantity
    counts = {t.name: _count(conn, t.name) for t in TABLES}
    quarantine = conn.execute("select asset_key, document from raw.quarantine order by 1, 2").fetchall()
    assert [a for a, _ in quarantine] == ["nse_equity_list", "nse_insider_trades", "nse_institutional_flows"]

    second = run_all()
    assert {t.name: _count(conn, t.name) for t in TABLES} == counts
    assert conn.execute("select asset_key, document from raw.quarantine order by 1, 2").fetchall() == quarantine
    for report in second:
        written = {k: v for k, v in report.items() if k.endswith(("/inserted", "/updated"))}
        assert set(written.values()) == {0}, written
    assert first[0]["symbols_listed"] == second[0]["symbols_listed"] == len(listed) - 1
