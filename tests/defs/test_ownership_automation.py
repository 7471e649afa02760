"""The current-filings sensor against a loopback EDGAR, and the ownership schedules."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest

from tests.support.mirror_server import MirrorServer, body
from valuation_platform.defs.ownership import automation
from valuation_platform.generator.ownership import OwnershipWriteResult, write_ownership_data
from valuation_platform.generator.universe import us_companies
from valuation_platform.pipelines.ownership.current_filings import FeedCursor, plan_runs
from valuation_platform.lib.resources import SourcesResource
from valuation_platform.lib.runner import RANGE_END_TAG, RANGE_START_TAG

AS_OF = date(2026, 11, 20)  # a Friday
MARKET_HOURS = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)  # 10:30 in New York
FEED_PAGE0 = "cgi-bin/browse-edgar?action=getcurrent&count=100&output=atom&start=0&type=4"


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, OwnershipWriteResult]:
    root = tmp_path_factory.mktemp("feed_mirror")
    # A short window and a small feed: one page, every filing of the window in it.
    result = write_ownership_data(
        root,
        us_companies(6),
        AS_OF - timedelta(days=6),
        AS_OF,
        n_filers=2,
        feed_entries=90,
        form4_per_company_month=12,
    )
    return root, result


def feed_accessions(root: Path) -> set[str]:
    page = (root / "www.sec.gov" / FEED_PAGE0).read_text(encoding="iso-8859-1")
    return set(re.findall(r"accession-number=(\d{10}-\d{2}-\d{6})", page))


def evaluate(
    server: MirrorServer, cursor: str | None
) -> tuple[list[dg.RunRequest] | dg.SkipReason, str | None]:
    context = dg.build_sensor_context(
        cursor=cursor, resources={"sources": SourcesResource(source_root=server.url)}
    )
    outcome = automation.form4_current_filings(context)
    return outcome, context.cursor


def test_sensor_requests_runs_for_new_filings_only(mirror, monkeypatch) -> None:
    root, result = mirror
    monkeypatch.setattr(automation, "now_utc", lambda: MARKET_HOURS)
    in_feed = feed_accessions(root)
    expected: dict[str, set[str]] = {}
    for filing in result.form4:
        if filing["accession"] in in_feed:
            expected.setdefault(filing["filing_date"].isoformat(), set()).add(filing["accession"])
    assert len(expected) >= 3
    with MirrorServer(root) as server:
        first, cursor = evaluate(server, None)
        assert isinstance(first, list)
        assert {r.partition_key: int(r.tags["vp/new_filings"]) for r in first} == {
            day: len(accessions) for day, accessions in expected.items()
        }
        assert len({r.run_key for r in first}) == len(first)

        second, cursor_after = evaluate(server, cursor)  # same feed: nothing is new
        assert isinstance(second, dg.SkipReason) and "no new Form 4" in str(second.skip_message)

        # one more filing, accepted a minute after the newest, at the top of the feed
        page = (root / "www.sec.gov" / FEED_PAGE0).read_bytes()
        entry_start = page.index(b"<entry>")
        entry = page[entry_start : page.index(b"</entry>", entry_start) + len(b"</entry>\n")]
        accession = re.search(rb"accession-number=([\d-]+)", entry).group(1)
        new_accession = b"0009999999-26-000001"
        filed = re.search(rb"Filed:&lt;/b&gt; ([\d-]+)", entry).group(1)
        fresh = entry.replace(accession, new_accession).replace(filed, AS_OF.isoformat().encode())
        newest = datetime.fromisoformat(re.search(rb"<updated>([^<]+)</updated>", entry).group(1).decode())
        later = (newest + timedelta(minutes=1)).isoformat().encode()
        fresh = re.sub(rb"<updated>[^<]+</updated>", b"<updated>" + later + b"</updated>", fresh)
        server.add_faults("type=4", body(page[:entry_start] + fresh + page[entry_start:]))
        third, _ = evaluate(server, cursor_after)
    assert isinstance(third, list) and len(third) == 1
    assert third[0].partition_key == AS_OF.isoformat() and third[0].tags["vp/new_filings"] == "1"
    assert third[0].run_key not in {r.run_key for r in first}


def test_sensor_sleeps_outside_market_hours(mirror, monkeypatch) -> None:
    root, _ = mirror
    evening = datetime(2026, 11, 20, 22, 0, tzinfo=UTC)  # 17:00 in New York
    veterans_day = datetime(2026, 11, 11, 15, 30, tzinfo=UTC)  # EDGAR closed
    with MirrorServer(root) as server:
        for now in (evening, veterans_day):
            monkeypatch.setattr(automation, "now_utc", lambda now=now: now)
            outcome, cursor = evaluate(server, None)
            assert isinstance(outcome, dg.SkipReason) and "outside US market hours" in str(
                outcome.skip_message
            )
            assert cursor is None
        assert server.requests == []  # the feed is not even fetched


def test_late_disseminated_filing_is_still_new() -> None:
    """EDGAR can list a filing minutes after one accepted later; the cursor must not lose it."""

    def filing(accession: str, minute: int) -> dict:
        return {"accession": accession, "form_type": "4", "filing_date": AS_OF,
                "updated": datetime(2026, 11, 20, 15, minute, tzinfo=UTC)}  # fmt: skip

    runs, cursor = plan_runs([filing("0000000001-26-000002", 30)], FeedCursor(), AS_OF)
    assert [r.accessions for r in runs] == [("0000000001-26-000002",)]
    runs, cursor = plan_runs(
        [filing("0000000001-26-000002", 30), filing("0000000001-26-000001", 20)], cursor, AS_OF
    )
    assert [r.accessions for r in runs] == [("0000000001-26-000001",)]
    runs, _ = plan_runs([filing("0000000001-26-000001", 20)], FeedCursor.from_json(cursor.to_json()), AS_OF)
    assert runs == []
    # a filing dated after today (accepted after 17:30) waits for its partition to exist
    late = {**filing("0000000001-26-000003", 45), "filing_date": date(2026, 11, 23)}
    runs, cursor = plan_runs([late], cursor, AS_OF)
    assert runs == [] and "0000000001-26-000003" not in dict(cursor.seen)


def test_hourly_insider_schedule_targets_today() -> None:
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2026, 11, 20, 16, 0, tzinfo=UTC))
    request = automation.insider_trades_hourly(context)
    assert isinstance(request, dg.RunRequest) and request.partition_key == "2026-11-20"
    holiday = dg.build_schedule_context(scheduled_execution_time=datetime(2026, 11, 26, 16, 0, tzinfo=UTC))
    assert isinstance(automation.insider_trades_hourly(holiday), dg.SkipReason)  # Thanksgiving


def test_quarterly_13f_schedule_covers_the_quarters_just_due() -> None:
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2026, 11, 16, 6, 0, tzinfo=UTC))
    request = automation.institutional_holdings_quarterly(context)
    assert (request.tags[RANGE_START_TAG], request.tags[RANGE_END_TAG]) == ("2026-04-01", "2026-07-01")
    february = dg.build_schedule_context(scheduled_execution_time=datetime(2027, 2, 16, 6, 0, tzinfo=UTC))
    request = automation.institutional_holdings_quarterly(february)
    assert (request.tags[RANGE_START_TAG], request.tags[RANGE_END_TAG]) == ("2026-07-01", "2026-10-01")


def test_schedules_carry_explicit_time_zones() -> None:
    assert automation.insider_trades_hourly.execution_timezone == "America/New_York"
    assert automation.institutional_holdings_quarterly.execution_timezone == "UTC"
    assert automation.form4_current_filings.minimum_interval_seconds == 3600
