"""NSE corporate announcements (company filings) as news-scan items: the real payload's own fields are the
oracle (../shared/fixtures/nse/nseindiaapi_announcements.json, one filing of Vodafone Idea, 18-Oct-2023)."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from valuation_platform.generator.intelligence import write_intelligence_data
from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.http import mirror_relpath
from valuation_platform.sources.newsfeeds.feeds import DEFAULT_FEEDS, Feed
from valuation_platform.sources.nse.announcements import ANNOUNCEMENTS_URL, is_announcements, parse_announcements

IST = ZoneInfo("Asia/Kolkata")


def test_the_real_filing(shared_fixtures) -> None:
    body = (shared_fixtures / "nse" / "nseindiaapi_announcements.json").read_bytes()
    parsed = parse_announcements(body, document="corporate-announcements")
    assert parsed.errors == []
    [item] = parsed.items
    # as the exchange printed it: symbol IDEA, subject "Updates", an_dt "18-Oct-2023 22:11:42" (IST), seq_id
    assert item.title == "Vodafone Idea Limited (IDEA): Updates"
    assert item.url == ("https://nsearchives.nseindia.com/corporate/"
                        "IDEA_18102023221142_SEIntimation18102023LitigationUpdate.pdf")
    assert item.guid == "105647960"
    assert item.published_at == datetime(2023, 10, 18, 22, 11, 42, tzinfo=IST)
    assert item.summary == ("Vodafone Idea Limited has informed the Exchange regarding 'Intimation under "
                            "Regulation 30 of the SEBI (LODR)Reg, 2015'.")
    assert item.categories == ("Updates", "Telecommunication - Services")


def test_a_filing_without_attachment_is_rejected_alone(shared_fixtures) -> None:
    [real] = json.loads((shared_fixtures / "nse" / "nseindiaapi_announcements.json").read_bytes())
    broken = {**real, "attchmntFile": None, "seq_id": "1"}
    late = {**real, "an_dt": "31-Foo-2023 10:00:00", "seq_id": "2"}
    parsed = parse_announcements(json.dumps([broken, real, late]).encode(), document="doc")
    assert [i.guid for i in parsed.items] == ["105647960"]
    assert [(e.field, e.reason) for e in parsed.errors] == [
        ("items[0].attchmntFile", "attchmntFile is missing or blank"),
        ("items[2].an_dt", "not a DD-Mon-YYYY date: '31-Foo-2023 10:00:00'")]


@pytest.mark.parametrize("body, reason", [
    (b"<html>Access Denied</html>", "not JSON"),  # the CDN's block page
    (b'{"msg": "no data"}', "expected a JSON array of filings, got dict"),
    (b'[{"symbol": "IDEA"', "not JSON"),  # a cut connection
])
def test_a_payload_that_is_not_a_filing_list_is_rejected_whole(body: bytes, reason: str) -> None:
    with pytest.raises(SourceError) as error:
        parse_announcements(body, document="www.nseindia.com/api/corporate-announcements?index=equities")
    assert error.value.reason.startswith(reason)
    assert error.value.document.endswith("corporate-announcements?index=equities")


def test_the_default_feed_is_nse_filings_and_the_sample_parses(tmp_path) -> None:
    feed = next(f for f in DEFAULT_FEEDS if is_announcements(f.url))
    assert (feed.url, feed.publisher, feed.is_policy) == (ANNOUNCEMENTS_URL, "NSE", False)
    assert not is_announcements("https://www.nseindia.com/api/option-chain-indices?symbol=NIFTY")
    assert Feed("x", "https://nseindia.com/api/corporate-announcements?index=sme").publisher == "NSE"
    write_intelligence_data(tmp_path, date(2026, 11, 20), with_faults=True)
    parsed = parse_announcements((tmp_path / mirror_relpath(feed.url)).read_bytes(), document=feed.name)
    # the generated filings follow the real layout: every field the real one has, times in an_dt's format
    real_keys = {"symbol", "desc", "dt", "attchmntFile", "sm_name", "sm_isin", "an_dt", "sort_date", "seq_id",
                 "smIndustry", "orgid", "attchmntText", "bflag", "old_new", "csvName", "exchdisstime", "difference"}
    records = json.loads((tmp_path / mirror_relpath(feed.url)).read_bytes())
    assert all(set(r) == real_keys for r in records)
    assert [i.title.split(" (")[1].split(")")[0] for i in parsed.items] == ["RELIANCE", "TCS", "HDFCBANK"]
    assert [e.field for e in parsed.errors] == ["items[3].attchmntFile"]  # the sample's faulty filing
