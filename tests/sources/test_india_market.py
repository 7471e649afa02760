"""India market indicators: the real Investing.com 10y G-sec export, the long layout, the feed client."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.support.mirror_server import MirrorServer, status
from valuation_platform.generator.india import india_macro, write_market_files
from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.http import HttpClient
from valuation_platform.sources.india.market import (
    MARKET_FEEDS,
    fetch_market_feed,
    market_feed_url,
    parse_investing_history,
    parse_market_csv,
    parse_market_long,
)

SHARE = "https://market-exports.example.test/india-market"  # the exports have no public host: a test share
FIXTURE = "market/india_10y_gsec_yield_daily_2017-2019.csv"  # in ../shared/fixtures (the shared_fixtures fixture)


@pytest.fixture(scope="module")
def gsec_rows(shared_fixtures):
    path = shared_fixtures / FIXTURE
    return parse_market_csv(path.read_bytes(), document=path.name, feed="gsec_10y")


def test_real_gsec_export(gsec_rows):
    assert len(gsec_rows) == 673
    assert gsec_rows[0]["ref_period"] == date(2017, 1, 2) and gsec_rows[0]["value"] == 6.406
    assert gsec_rows[-1]["ref_period"] == date(2019, 9, 20) and gsec_rows[-1]["value"] == 6.782
    assert [r["ref_period"] for r in gsec_rows] == sorted(r["ref_period"] for r in gsec_rows)
    assert {(r["series_id"], r["unit"], r["frequency"], r["source"]) for r in gsec_rows} == {
        ("in_10y_gsec_yield", "percent", "D", "Investing.com")
    }
    # released at 12:00 UTC on the trading day unless the caller says otherwise
    assert gsec_rows[-1]["released_at"] == datetime(2019, 9, 20, 12, 0, tzinfo=UTC)
    # The file's own 'Change %' for 20 Sep 2019 (2.23%) is the day-on-day change of the parsed closes.
    by_day = {r["ref_period"]: r["value"] for r in gsec_rows}
    assert round((by_day[date(2019, 9, 20)] / by_day[date(2019, 9, 19)] - 1) * 100, 2) == 2.23


def test_long_layout():
    payload = (
        b"source,series_id,series_name,geography,frequency,ref_period,value,unit,released_at\n"
        b"RBI,rbi_repo_rate,RBI policy repo rate,India,E,2023-02-08,6.50,percent,2023-02-08T04:30:00Z\n"
        b'NSDL,fii_net_flows,FPI net investment in equity,India,M,2024-01-01,"-25,744",Rs crore,\n'
    )
    rows = parse_market_long(payload, document="long.csv", released_at=date(2024, 2, 1))
    assert [(r["series_id"], r["ref_period"], r["value"], r["frequency"]) for r in rows] == [
        ("rbi_repo_rate", date(2023, 2, 8), 6.5, "E"),
        ("fii_net_flows", date(2024, 1, 1), -25744.0, "M"),
    ]
    assert rows[0]["released_at"] == datetime(2023, 2, 8, 4, 30, tzinfo=UTC)
    assert rows[1]["released_at"] == datetime(2024, 2, 1, tzinfo=UTC)  # blank cell: the caller's


@pytest.mark.parametrize(
    ("payload", "match"),
    [
        (
            b"source,series_id,series_name,geography,frequency,ref_period,value,unit\nS,x,X,India,W,2024-01-01,1,u\n",
            "frequency",
        ),
        (
            b"source,series_id,series_name,geography,frequency,ref_period,value,unit\nS,x,X,India,M,2024-01-15,1,u\n",
            "day 1",
        ),
        (
            b"source,series_id,series_name,geography,frequency,ref_period,value,unit\nS,x,X,India,M,01/01/2024,1,u\n",
            "ISO date",
        ),
        (b"series_id,value\nx,1\n", "missing columns"),
    ],
)
def test_long_layout_errors(payload, match):
    with pytest.raises(SourceError, match=match):
        parse_market_long(payload, document="bad.csv", released_at=date(2024, 2, 1))


def test_investing_errors():
    with pytest.raises(SourceError, match="needs feed"):
        parse_market_csv(b'"Date","Price"\n"Sep 20, 2019","6.7"\n', document="x.csv")
    with pytest.raises(SourceError, match="appears twice"):
        parse_investing_history(
            b'"Date","Price"\n"Sep 20, 2019","6.7"\n"Sep 20, 2019","6.8"\n',
            document="x.csv",
            series_id="s",
            series_name="S",
            unit="u",
        )
    with pytest.raises(SourceError) as err:
        parse_investing_history(
            b'"Date","Price"\n"20th Sep","6.7"\n', document="x.csv", series_id="s", series_name="S", unit="u"
        )
    assert err.value.field == "line 2 Date"


def test_every_feed_over_a_mirror_server(tmp_path):
    macro = india_macro(months=26, seed=4)
    write_market_files(tmp_path, macro, base_url=SHARE)
    sleeps: list[float] = []
    with MirrorServer(tmp_path) as server:
        server.add_faults("rbi_repo_rate.csv", status(500))
        client = HttpClient(source_root=server.url, sleep=sleeps.append, backoff_base=0.01)
        rows = {feed: fetch_market_feed(client, feed, base_url=SHARE) for feed in MARKET_FEEDS}
        assert len(server.hits("rbi_repo_rate.csv")) == 2
    ids = {r["series_id"] for feed_rows in rows.values() for r in feed_rows}
    assert ids == {
        "in_10y_gsec_yield",
        "usd_inr",
        "rbi_repo_rate",
        "pmi_manufacturing",
        "pmi_services",
        "pmi_composite",
        "fii_net_flows",
        "dii_net_flows",
        "balance_of_trade",
    }
    usd = rows["usd_inr"]
    assert all(d.weekday() < 5 for d in (r["ref_period"] for r in usd))
    assert 70 < usd[0]["value"] < 90 and 70 < usd[-1]["value"] < 90
    repo = [r["value"] for r in rows["repo_rate"]]
    assert repo[0] == 4.0 and max(repo) == 6.5
    assert market_feed_url("pmi", SHARE + "/") == f"{SHARE}/india_pmi_monthly.csv"
