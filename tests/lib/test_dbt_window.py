"""The window the daily dbt assets pass to dbt (VP_DBT_* environment variables the run_var macro reads): a
single-run backfill's whole key range, as ISO dates; every setting present, empty when unset."""

import os

import dagster as dg

from tests.support.pipeline import env
from valuation_platform.lib.dbt import SCORES_SECTOR_TAG, SCORES_TICKERS_TAG, run_env, run_environment
from valuation_platform.lib.partitions import US_TRADING_DAYS
from valuation_platform.lib.runner import RANGE_END_TAG, RANGE_START_TAG

seen: list[dict[str, str]] = []


@dg.asset(partitions_def=US_TRADING_DAYS, backfill_policy=dg.BackfillPolicy.single_run())
def sessions(context: dg.AssetExecutionContext) -> None:
    seen.append(run_env(context))


def test_a_range_run_passes_its_first_and_last_session() -> None:
    # Thanksgiving week 2026: the range's last key is Friday's session, not the window's exclusive end
    with dg.instance_for_test() as instance:
        result = dg.materialize([sessions], instance=instance,
                                tags={RANGE_START_TAG: "2026-11-23", RANGE_END_TAG: "2026-11-27"})
    assert result.success
    assert seen[-1] == {"VP_DBT_WINDOW_START": "2026-11-23", "VP_DBT_WINDOW_END": "2026-11-27",
                        "VP_DBT_SCORES_TICKERS": "", "VP_DBT_SCORES_SECTOR": ""}


def test_one_partition_is_a_one_day_window() -> None:
    with dg.instance_for_test() as instance:
        assert dg.materialize([sessions], instance=instance, partition_key="2026-11-20").success
    assert seen[-1]["VP_DBT_WINDOW_START"] == seen[-1]["VP_DBT_WINDOW_END"] == "2026-11-20"


def test_scores_selection_tags_become_dbt_vars() -> None:
    # the seed CLI's one-ticker / one-sector runs: run tags the scores models read as vars
    with dg.instance_for_test() as instance:
        tags = {SCORES_TICKERS_TAG: " abc, xyz ", SCORES_SECTOR_TAG: "Information Technology"}
        assert dg.materialize([sessions], instance=instance, partition_key="2026-11-20", tags=tags).success
    assert seen[-1] == {"VP_DBT_WINDOW_START": "2026-11-20", "VP_DBT_WINDOW_END": "2026-11-20",
                        "VP_DBT_SCORES_TICKERS": "ABC,XYZ", "VP_DBT_SCORES_SECTOR": "Information Technology"}


@dg.asset
def whole_history(context: dg.AssetExecutionContext) -> None:
    seen.append(run_env(context))


def test_an_unpartitioned_step_clears_the_window() -> None:
    # the in-process executor runs steps in one process: an unpartitioned dbt step after a daily one must
    # not inherit its window, so the settings are always all present, empty when unset
    with dg.instance_for_test() as instance:
        assert dg.materialize([whole_history], instance=instance).success
    assert seen[-1] == dict.fromkeys(["VP_DBT_WINDOW_START", "VP_DBT_WINDOW_END", "VP_DBT_SCORES_TICKERS",
                                      "VP_DBT_SCORES_SECTOR"], "")


SETTINGS = ("VP_DBT_WINDOW_START", "VP_DBT_WINDOW_END", "VP_DBT_SCORES_TICKERS", "VP_DBT_SCORES_SECTOR")
exported: list[dict[str, str | None]] = []


@dg.asset
def exporting_step(context: dg.AssetExecutionContext) -> None:
    with run_environment(context):
        exported.append({name: os.environ.get(name) for name in SETTINGS})


def test_an_unpartitioned_step_removes_a_window_left_in_the_process() -> None:
    # a daily step's window still in the environment; the unpartitioned step's dbt must see the settings
    # unset (as `vp prepare` parsed them, so dbt re-parses nothing), not the stale window nor empty strings
    stale = {"VP_DBT_WINDOW_START": "2026-11-20", "VP_DBT_WINDOW_END": "2026-11-20",
             "VP_DBT_SCORES_TICKERS": "ABC", "VP_DBT_SCORES_SECTOR": "Energy"}
    with env(stale), dg.instance_for_test() as instance:
        assert dg.materialize([exporting_step], instance=instance).success
    assert exported[-1] == dict.fromkeys(SETTINGS, None)


@dg.asset(partitions_def=US_TRADING_DAYS)
def daily_exporting_step(context: dg.AssetExecutionContext) -> None:
    with run_environment(context):
        exported.append({name: os.environ.get(name) for name in SETTINGS})


def test_a_daily_step_exports_its_window_and_clears_the_rest() -> None:
    with env({"VP_DBT_SCORES_TICKERS": "ABC"}), dg.instance_for_test() as instance:
        assert dg.materialize([daily_exporting_step], instance=instance, partition_key="2026-11-20").success
        # after the step the process is as before it: a dbt call that follows (the scores tests' own
        # runner) must not build only this step's window
        assert {name: os.environ.get(name) for name in SETTINGS} == {
            "VP_DBT_WINDOW_START": None, "VP_DBT_WINDOW_END": None, "VP_DBT_SCORES_TICKERS": "ABC",
            "VP_DBT_SCORES_SECTOR": None}
    assert exported[-1] == {"VP_DBT_WINDOW_START": "2026-11-20", "VP_DBT_WINDOW_END": "2026-11-20",
                            "VP_DBT_SCORES_TICKERS": None, "VP_DBT_SCORES_SECTOR": None}
