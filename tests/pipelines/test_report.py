"""The load report of a run: totals always; the per-partition map unless the run materializes more than
PARTITION_DETAIL_MAX partitions (Dagster copies a run's metadata onto each of their events)."""

from __future__ import annotations

from valuation_platform.pipelines.report import PARTITION_DETAIL_MAX, for_partitions, load_report
from valuation_platform.warehouse.upsert import UpsertResult


def _results(partitions: int) -> list[UpsertResult]:
    # two loads of the asset's own table (two flushes) and one of another table
    half = {f"P{i:04d}": 3 for i in range(partitions)}
    first = dict(list(half.items())[: partitions // 2])
    second = dict(list(half.items())[partitions // 2:])
    return [UpsertResult("raw.facts", 3 * len(first), 3 * len(first), 0, first),
            UpsertResult("raw.facts", 3 * len(second), 2 * len(second), len(second), second),
            UpsertResult("raw.other", 7, 0, 0, {"P0000": 7})]


def test_totals_and_the_partition_map_of_a_small_run() -> None:
    report = load_report(_results(4))
    assert report["dagster/row_count"] == 12  # the own table's rows only, over both loads
    assert (report["facts/rows_in"], report["facts/inserted"], report["facts/updated"], report["facts/unchanged"]) \
        == (12, 10, 2, 0)
    assert (report["other/rows_in"], report["other/unchanged"]) == (7, 7)
    assert dict(report["rows_by_partition"]) == {"P0000": 3, "P0001": 3, "P0002": 3, "P0003": 3}


def test_a_run_over_many_partitions_keeps_the_totals_and_drops_the_map() -> None:
    written = load_report(_results(PARTITION_DETAIL_MAX + 1))  # one key per partition, as companyfacts writes
    assert len(written["rows_by_partition"]) == PARTITION_DETAIL_MAX + 1
    at_limit = for_partitions(written, PARTITION_DETAIL_MAX)
    beyond = for_partitions(written, PARTITION_DETAIL_MAX + 1)
    assert at_limit == written
    assert "rows_by_partition" not in beyond
    assert beyond == {k: v for k, v in written.items() if k != "rows_by_partition"}
    assert beyond["dagster/row_count"] == 3 * (PARTITION_DETAIL_MAX + 1)


def test_a_short_run_that_wrote_a_long_history_keeps_its_map() -> None:
    # the first bars run: 6 sessions materialized, a year of history written under each session's own key
    written = load_report(_results(300))
    assert len(for_partitions(written, 6)["rows_by_partition"]) == 300
