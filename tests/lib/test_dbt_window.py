"""The window the daily dbt assets pass to dbt: a single-run backfill's whole key range, as ISO dates."""

import json

import dagster as dg

from valuation_platform.lib.dbt import SCORES_SECTOR_TAG, SCORES_TICKERS_TAG, window_vars
from valuation_platform.lib.partitions import US_TRADING_DAYS
from valuation_platform.lib.runner import RANGE_END_TAG, RANGE_START_TAG

seen: list[list[str]] = []


@dg.asset(partitions_def=US_TRADING_DAYS, backfill_policy=dg.BackfillPolicy.single_run())
def sessions(context: dg.AssetExecutionContext) -> None:
    seen.append(window_vars(context))


def test_a_range_run_passes_its_first_and_last_session() -> None:
    # Thanksgiving week 2026: the range's last key is Friday's session, not the window's exclusive end
    with dg.instance_for_test() as instance:
        result = dg.materialize([sessions], instance=instance,
                                tags={RANGE_START_TAG: "2026-11-23", RANGE_END_TAG: "2026-11-27"})
    assert result.success
    flag, payload = seen[-1]
    assert flag == "--vars" and json.loads(payload) == {"window_start": "2026-11-23", "window_end": "2026-11-27"}


def test_one_partition_is_a_one_day_window() -> None:
    with dg.instance_for_test() as instance:
        assert dg.materialize([sessions], instance=instance, partition_key="2026-11-20").success
    assert json.loads(seen[-1][1]) == {"window_start": "2026-11-20", "window_end": "2026-11-20"}


def test_scores_selection_tags_become_dbt_vars() -> None:
    # the seed CLI's one-ticker / one-sector runs: run tags the scores models read as vars
    with dg.instance_for_test() as instance:
        tags = {SCORES_TICKERS_TAG: " abc, xyz ", SCORES_SECTOR_TAG: "Information Technology"}
        assert dg.materialize([sessions], instance=instance, partition_key="2026-11-20", tags=tags).success
    assert json.loads(seen[-1][1]) == {"window_start": "2026-11-20", "window_end": "2026-11-20",
                                       "scores_tickers": ["ABC", "XYZ"], "scores_sector": "Information Technology"}
