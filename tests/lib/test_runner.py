"""The whole-graph runner: which partitions a window covers, and how one unavailable source is contained."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from valuation_platform.lib.partitions import INDIA_MACRO_MONTHS, THIRTEENF_QUARTERS, US_TRADING_DAYS
from valuation_platform.lib.runner import (
    PartitionWindow,
    latest_complete_key,
    materialize_all,
    partition_keys,
    plan_stages,
)
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


# A toy dbt project beside Python assets, as in the real graph: a partitioned feed needs an unpartitioned universe
# first, an unpartitioned Python step reads the feed, and one model reads both; another model reads a Python
# asset that reads a model. Each call of `models` is one dbt invocation.
DAYS = dg.DailyPartitionsDefinition(start_date="2026-11-01")
invocations: list[list[str]] = []


@dg.asset
def universe() -> None:
    return None


@dg.asset(deps=[universe], partitions_def=DAYS, backfill_policy=dg.BackfillPolicy.single_run())
def bars() -> None:
    return None


@dg.asset(deps=[bars])
def targets() -> None:
    return None


@dg.multi_asset(
    specs=[dg.AssetSpec("stg", kinds={"dbt"}), dg.AssetSpec("mart", deps=["stg", bars, targets], kinds={"dbt"}),
           dg.AssetSpec("scores", deps=["report"], kinds={"dbt"})],
    can_subset=True,
)
def models(context):  # type: ignore[no-untyped-def]
    built = [name for name in ("stg", "mart", "scores") if dg.AssetKey(name) in context.selected_asset_keys]
    invocations.append(built)
    for name in built:  # in dependency order, as dbt reports them
        yield dg.MaterializeResult(asset_key=name)


@dg.asset(deps=["mart"])
def report() -> None:
    return None


TOY = dg.Definitions(assets=[universe, bars, targets, models, report])


def _names(stages) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return [[k.to_user_string() for k in keys] for _, keys in stages]


def test_dbt_waits_for_every_python_input_and_never_runs_twice_in_one_stage() -> None:
    # The old plan built `stg` with `universe` (both unpartitioned, ready first), then `mart` after the feed:
    # three dbt invocations. Here dbt waits until `targets` landed (its stage joins the dbt stage: same
    # partitions, Python before the build) and `scores`, behind the Python `report`, gets a stage of its own.
    assert _names(plan_stages(TOY)) == [["universe"], ["bars"], ["targets", "stg", "mart", "report"], ["scores"]]
    invocations.clear()
    with dg.instance_for_test() as instance:
        stages = materialize_all(TOY, instance, WEEK, log=lambda _: None)
    assert invocations == [["stg", "mart"], ["scores"]]
    assert stages[1].partitions == "7 partitions 2026-11-13..2026-11-19"  # the 20th is not over at the window end
    assert all(s.status == "succeeded" for s in stages)


def test_a_stage_that_would_split_dbt_is_cut_where_dagster_would_cut_it() -> None:
    # `report` reads `mart` and feeds `scores`: one run of all three would invoke `models` twice anyway
    plan = _names(plan_stages(TOY, selection=lambda key: key.to_user_string() in {"mart", "report", "scores"}))
    assert plan == [["mart", "report"], ["scores"]]


def test_a_failed_python_input_blocks_only_its_own_models() -> None:
    @dg.asset(name="targets", deps=[bars])
    def broken_targets() -> None:
        with source_outcome():
            raise SourceUnavailable("targethost", "not in the mirror")

    defs = dg.Definitions(assets=[universe, bars, broken_targets, models, report])
    invocations.clear()
    with dg.instance_for_test() as instance:
        stages = materialize_all(defs, instance, WEEK, log=lambda _: None)
    assert invocations == [["stg"]]  # mart waited for targets; report and scores for mart
    merged = stages[2]
    assert merged.failed == {"targets": "source targethost unavailable: not in the mirror"}
    assert merged.materialized == ["stg"]
    assert merged.skipped["mart"] == "upstream targets did not materialize"
    assert stages[3].skipped == {"scores": "upstream report did not materialize"}
