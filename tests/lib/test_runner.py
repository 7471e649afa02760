"""The whole-graph runner: which partitions a window covers, and how one unavailable source is contained."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from valuation_platform.lib.partitions import INDIA_MACRO_MONTHS, THIRTEENF_QUARTERS, US_TRADING_DAYS
from valuation_platform.lib.runner import PartitionWindow, latest_complete_key, materialize_all, partition_keys
from valuation_platform.lib.sources import source_outcome
from valuation_platform.sources.errors import SourceNotConfigured, SourceUnavailable

WEEK = PartitionWindow(date(2026, 11, 13), date(2026, 11, 20))


def test_a_week_of_nyse_sessions() -> None:
    with dg.instance_for_test() as instance:
        keys = partition_keys(US_TRADING_DAYS, instance, WEEK)
    assert keys == ["2026-11-13", "2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20"]


def test_a_week_inside_a_quarter_takes_the_last_complete_quarter_and_month() -> None:
    with dg.instance_for_test() as instance:
        # Q4 2026 (2026-10-01) is not over on 20 November: the 13F run is for Q3, filed by 14 November
        assert partition_keys(THIRTEENF_QUARTERS, instance, WEEK) == ["2026-07-01"]
        # November is not over either: October, in India's own time zone
        assert partition_keys(INDIA_MACRO_MONTHS, instance, WEEK) == ["2026-10-01"]


def test_latest_complete_session_skips_thanksgiving() -> None:
    # Friday 27 November 2026, noon in New York: Thursday the 26th is a holiday, Friday's session is not over
    moment = datetime(2026, 11, 27, 12, tzinfo=ZoneInfo("America/New_York"))
    assert latest_complete_key(US_TRADING_DAYS, moment) == "2026-11-25"


def test_a_reversed_window_is_refused() -> None:
    with pytest.raises(ValueError, match="after its end"):
        PartitionWindow(date(2026, 11, 20), date(2026, 11, 13))


# A toy graph: `feed` has no source, `optional` is not configured, and one shared multi-asset step (like
# the dbt step) holds a child of each plus a child of a healthy asset.
@dg.asset
def feed() -> None:
    with source_outcome():
        raise SourceUnavailable("feedhost", "the mirror holds none of the 3 documents asked for")


@dg.asset
def healthy() -> None:
    return None


@dg.asset
def optional() -> None:
    with source_outcome():
        raise SourceNotConfigured("extra", "VP_EXTRA_URL")


@dg.multi_asset(
    specs=[dg.AssetSpec("from_feed", deps=[feed]), dg.AssetSpec("from_healthy", deps=[healthy]),
           dg.AssetSpec("from_optional", deps=[optional])],
    can_subset=True,
)
def shared_step(context):  # type: ignore[no-untyped-def]
    for key in sorted(context.selected_asset_keys):
        yield dg.MaterializeResult(asset_key=key)


@dg.asset(deps=["from_feed"])
def downstream_of_feed() -> None:
    return None


def test_one_unavailable_source_fails_alone_and_says_why() -> None:
    defs = dg.Definitions(assets=[feed, healthy, optional, shared_step, downstream_of_feed])
    with dg.instance_for_test() as instance:
        stages = materialize_all(defs, instance, None, log=lambda _: None)
    landed = {a for s in stages for a in s.materialized}
    failed = {k: v for s in stages for k, v in s.failed.items()}
    skipped = {k: v for s in stages for k, v in s.skipped.items()}
    # the shared step ran again without the failed part: what had its inputs landed
    assert landed == {"healthy", "from_healthy", "from_optional"}
    assert failed == {"feed": "source feedhost unavailable: the mirror holds none of the 3 documents asked for"}
    assert skipped["optional"] == "source extra unavailable: not configured: VP_EXTRA_URL is not set"
    assert skipped["downstream_of_feed"] == "upstream from_feed did not materialize"
    assert not all(s.success for s in stages)


def test_unavailable_sources_are_not_retried_unless_waiting_can_help() -> None:
    attempts: list[int] = []

    @dg.asset(retry_policy=dg.RetryPolicy(max_retries=2))
    def flaky_mirror() -> None:
        attempts.append(1)
        with source_outcome():
            raise SourceUnavailable("mirrorhost", "not in the mirror")

    with dg.instance_for_test() as instance:
        materialize_all(dg.Definitions(assets=[flaky_mirror]), instance, None, log=lambda _: None)
    assert len(attempts) == 1
