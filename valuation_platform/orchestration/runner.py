"""Materialize the whole asset graph in-process, partition-aware: what `vp demo` and the tests run.

Dagster materializes one partitions definition per run, so the graph is walked in topological order
and cut into stages wherever the partitions definition changes. Each stage is one run: unpartitioned
assets as is; partitioned assets over a range (one run thanks to ``BackfillPolicy.single_run()``).
Dynamic partitions are read when their stage starts, after the upstream stage registered them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import dagster as dg

# Tags Dagster itself uses to run a partition range as one run (single-run backfills).
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


@dataclass(frozen=True)
class PartitionWindow:
    """Which time partitions a full run covers (the sample mirror's window)."""

    start: date
    end: date

    def contains(self, start: datetime) -> bool:
        return self.start <= start.date() <= self.end


# The bundled sample mirror's window: a full demo run materializes the time partitions inside it.
SAMPLE_AS_OF = date(2026, 11, 20)
SAMPLE_WINDOW = PartitionWindow(start=date(2026, 11, 13), end=SAMPLE_AS_OF)


@dataclass
class StageResult:
    assets: list[str]
    partitions: str
    success: bool


def _stages(defs: dg.Definitions) -> list[tuple[dg.PartitionsDefinition | None, list[dg.AssetKey]]]:
    graph = defs.resolve_asset_graph()
    stages: list[tuple[dg.PartitionsDefinition | None, list[dg.AssetKey]]] = []
    for key in graph.toposorted_asset_keys:
        node = graph.get(key)
        if not node.is_materializable:
            continue
        pdef = node.partitions_def
        if stages and stages[-1][0] == pdef:
            stages[-1][1].append(key)
        else:
            stages.append((pdef, [key]))
    return stages


# An asset tag that widens the window for assets needing history (e.g. 260 trading days of prices
# before indicators have left their warm-up): the stage covers that many days up to the window's end.
SAMPLE_DAYS_TAG = "vp/sample_days"


def _partition_keys(
    pdef: dg.PartitionsDefinition, instance: dg.DagsterInstance, window: PartitionWindow
) -> list[str]:
    if isinstance(pdef, dg.DynamicPartitionsDefinition):
        return list(instance.get_dynamic_partitions(pdef.name))
    if isinstance(pdef, dg.TimeWindowPartitionsDefinition):
        end = datetime.combine(window.end, time.max, tzinfo=timezone.utc)
        keys = pdef.get_partition_keys(current_time=end)
        return [k for k in keys if window.contains(pdef.time_window_for_partition_key(k).start)]
    return list(pdef.get_partition_keys())


def materialize_all(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    window: PartitionWindow,
    *,
    selection: Callable[[dg.AssetKey], bool] = lambda key: True,
    log: Callable[[str], None] = print,
) -> list[StageResult]:
    assets = list(defs.assets or [])
    checks = list(defs.asset_checks or [])
    resources = dict(defs.resources or {})
    results: list[StageResult] = []
    graph = defs.resolve_asset_graph()
    for pdef, keys in _stages(defs):
        keys = [k for k in keys if selection(k)]
        if not keys:
            continue
        names = [k.to_user_string() for k in keys]
        tags: dict[str, str] = {}
        label = "unpartitioned"
        if pdef is not None:
            days = max((int(graph.get(k).tags.get(SAMPLE_DAYS_TAG, 0)) for k in keys), default=0)
            stage_window = PartitionWindow(min(window.start, window.end - timedelta(days=days)), window.end)
            partition_keys = _partition_keys(pdef, instance, stage_window)
            if not partition_keys:
                log(f"skip {names}: no partitions in the window")
                continue
            tags = {RANGE_START_TAG: partition_keys[0], RANGE_END_TAG: partition_keys[-1]}
            label = f"{len(partition_keys)} partitions {partition_keys[0]}..{partition_keys[-1]}"
        log(f"materializing {len(keys)} assets ({label})")
        result = dg.materialize(
            [*assets, *checks],
            selection=dg.AssetSelection.assets(*keys),
            instance=instance,
            resources=resources,
            tags=tags,
            raise_on_error=False,
        )
        results.append(StageResult(names, label, result.success))
        if not result.success:
            failed = [e.step_key for e in result.all_events if e.is_step_failure]
            log(f"stage failed: steps {failed}")
            break
    return results


def summarize(counts: Sequence[tuple[str, int]]) -> str:
    width = max((len(name) for name, _ in counts), default=10)
    return "\n".join(f"  {name.ljust(width)}  {count:>10,}" for name, count in counts)
