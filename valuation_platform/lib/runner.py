"""Materialize the whole asset graph in-process, partition-aware: what `vp demo` and the tests run.

Dagster materializes one partitions definition per run, so the graph is cut into stages, each one
partitions definition (see :func:`plan_stages`). Each stage is one run: unpartitioned assets as is;
partitioned assets over a range (one run thanks to ``BackfillPolicy.single_run()``).
Dynamic partitions are read when their stage starts, after the upstream stage registered them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from time import perf_counter

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
    seconds: float = 0.0


def plan_stages(
    defs: dg.Definitions, selection: Callable[[dg.AssetKey], bool] = lambda key: True
) -> list[tuple[dg.PartitionsDefinition | None, list[dg.AssetKey]]]:
    """Cut the selected graph into runs, one partitions definition each, as few as possible.

    Partitioned stages run as soon as their upstream is done; unpartitioned work (mostly dbt, whose
    every run pays a project parse) waits until nothing partitioned is ready, so dbt runs once per
    "layer" of the graph instead of once per partitioned asset that happens to sit between models.
    """
    graph = defs.resolve_asset_graph()
    order = [k for k in graph.toposorted_asset_keys if graph.get(k).is_materializable and selection(k)]
    remaining = set(order)
    done: set[dg.AssetKey] = set()
    stages: list[tuple[dg.PartitionsDefinition | None, list[dg.AssetKey]]] = []

    def ready(key: dg.AssetKey, extra: set[dg.AssetKey]) -> bool:
        return all(p not in remaining or p in done or p in extra for p in graph.get(key).parent_keys)

    while remaining:
        candidates = [k for k in order if k in remaining and ready(k, set())]
        partitioned = [k for k in candidates if graph.get(k).partitions_def is not None]
        seed = partitioned[0] if partitioned else candidates[0]
        pdef = graph.get(seed).partitions_def
        stage: set[dg.AssetKey] = {seed}
        grew = True
        while grew:  # everything with the same partitions definition that this stage unblocks
            grew = False
            for key in order:
                if key in remaining and key not in stage and graph.get(key).partitions_def == pdef and ready(key, stage):
                    stage.add(key)
                    grew = True
        stages.append((pdef, [k for k in order if k in stage]))
        remaining -= stage
        done |= stage
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
    log_level: str = "INFO",
) -> list[StageResult]:
    assets = list(defs.assets or [])
    checks = list(defs.asset_checks or [])
    resources = dict(defs.resources or {})
    results: list[StageResult] = []
    graph = defs.resolve_asset_graph()
    for pdef, keys in plan_stages(defs, selection):
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
        started = perf_counter()
        result = dg.materialize(
            [*assets, *checks],
            selection=dg.AssetSelection.assets(*keys),
            instance=instance,
            resources=resources,
            tags=tags,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
        )
        results.append(StageResult(names, label, result.success, perf_counter() - started))
        log(f"  {'done' if result.success else 'FAILED'} in {results[-1].seconds:.1f}s")
        if not result.success:
            failed = [e.step_key for e in result.all_events if e.is_step_failure]
            log(f"stage failed: steps {failed}")
            break
    return results


def summarize(counts: Sequence[tuple[str, int]]) -> str:
    width = max((len(name) for name, _ in counts), default=10)
    return "\n".join(f"  {name.ljust(width)}  {count:>10,}" for name, count in counts)
