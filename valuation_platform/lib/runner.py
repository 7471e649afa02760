"""Materialize a selection of the asset graph in-process, partition-aware: what `vp` and the tests run.

Dagster materializes one partitions definition per run, so the selection is cut into stages, each one
partitions definition (see :func:`plan_stages`). Each stage is one run: unpartitioned assets as is;
partitioned assets over a range (one run thanks to ``BackfillPolicy.single_run()``). Dynamic partitions
are read when their stage starts, after the upstream stage registered them.

A stage whose source is unavailable does not stop the others: its failed steps are reported with the
one line their error gives, everything downstream of them is skipped with the name of what it waited
for, and every independent stage still runs. A source that is not configured (``SourceNotConfigured``)
is reported as skipped, not failed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from time import perf_counter
from zoneinfo import ZoneInfo

import dagster as dg

from valuation_platform.lib.dagster_instance import pool_connections

# Tags Dagster itself uses to run a partition range as one run (single-run backfills).
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
NOT_CONFIGURED = "SourceNotConfigured"


@dataclass(frozen=True)
class PartitionWindow:
    """Which time partitions a run covers: those starting on ``start``..``end`` (dates in each partitions
    definition's own time zone). A definition with no partition starting inside takes its latest partition
    complete by the end of ``end`` (the quarter or month a week-long window belongs to is not over yet)."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(f"window start {self.start} is after its end {self.end}")


@dataclass
class StageResult:
    assets: list[str]
    partitions: str
    seconds: float = 0.0
    materialized: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # step -> one-line reason
    skipped: dict[str, str] = field(default_factory=dict)  # step or asset -> why it did not run

    @property
    def success(self) -> bool:
        return not self.failed

    @property
    def status(self) -> str:
        if self.failed:
            return "failed"
        return "skipped" if not self.materialized else ("partial" if self.skipped else "succeeded")


Stage = tuple[dg.PartitionsDefinition | None, list[dg.AssetKey]]


def batched_steps(defs: dg.Definitions) -> set[str]:
    """The steps run once for as many of their assets as possible: dbt's. Every dbt step pays dbt's start-up,
    a partial parse, an adapter and dagster-dbt's events (8-10 s) for a build that takes 1-10 s."""
    graph = defs.resolve_asset_graph()
    return {
        ad.node_def.name for ad in defs.assets or []
        if isinstance(ad, dg.AssetsDefinition) and ad.can_subset and "dbt" in graph.get(next(iter(ad.keys))).kinds
    }


def _behind(
    key: dg.AssetKey, behind: Mapping[dg.AssetKey, frozenset[str]], graph: Any, step_of: Mapping[dg.AssetKey, str],
    batched: set[str],
) -> frozenset[str] | None:
    """The batched steps that must finish before ``key`` in a stage whose keys so far have ``behind``; None when
    ``key`` belongs to one of them: Dagster would split that step in two invocations (dbt, parse and all, twice)."""
    after: set[str] = set()
    for parent in graph.get(key).parent_keys:
        if parent in behind:
            after |= behind[parent]
            if step_of.get(parent) in batched and step_of[parent] != step_of.get(key):
                after.add(step_of[parent])
    return None if step_of.get(key) in after else frozenset(after)


def _unsplit(keys: Sequence[dg.AssetKey], graph: Any, step_of: Mapping[dg.AssetKey, str], batched: set[str]) -> bool:
    """Whether one run of ``keys`` (topological order) invokes each batched step once."""
    behind: dict[dg.AssetKey, frozenset[str]] = {}
    for key in keys:
        after = _behind(key, behind, graph, step_of, batched)
        if after is None:
            return False
        behind[key] = after
    return True


def plan_stages(defs: dg.Definitions, selection: Callable[[dg.AssetKey], bool] = lambda key: True) -> list[Stage]:
    """Cut the selected graph into runs, one partitions definition each, invoking dbt as few times as the
    graph's Python-between-models chains allow (8 for the whole graph; 13 when dbt ran with whatever was ready).

    Python assets run as soon as their upstream is done (partitioned first); a batched step (dbt, see
    :func:`batched_steps`) waits until no other asset is ready, so each of its runs builds every model whose
    inputs have landed. A stage never holds a batched step's assets on both sides of another step (Dagster
    would then invoke it twice); a stage of the same partitions definition as the one before it joins it when
    the two still invoke each batched step once (e.g. Python assets a dbt build reads, then that build).
    """
    graph = defs.resolve_asset_graph()
    step_of = _steps_by_asset(defs)
    batched = batched_steps(defs)
    order = [k for k in graph.toposorted_asset_keys if graph.get(k).is_materializable and selection(k)]
    remaining = set(order)
    stages: list[Stage] = []

    def ready(key: dg.AssetKey, extra: Mapping[dg.AssetKey, object]) -> bool:
        return all(p not in remaining or p in extra for p in graph.get(key).parent_keys)

    while remaining:
        candidates = [k for k in order if k in remaining and ready(k, {})]
        others = [k for k in candidates if step_of.get(k) not in batched]
        partitioned = [k for k in others if graph.get(k).partitions_def is not None]
        seed = (partitioned or others or candidates)[0]
        pdef = graph.get(seed).partitions_def
        behind: dict[dg.AssetKey, frozenset[str]] = {seed: frozenset()}
        grew = True
        while grew:  # everything with the same partitions definition that this stage unblocks
            grew = False
            for key in order:
                if (key in remaining and key not in behind and graph.get(key).partitions_def == pdef
                        and ready(key, behind) and (not others or step_of.get(key) not in batched)):
                    after = _behind(key, behind, graph, step_of, batched)
                    if after is not None:
                        behind[key] = after
                        grew = True
        keys = [k for k in order if k in behind]
        if stages and stages[-1][0] == pdef and _unsplit(stages[-1][1] + keys, graph, step_of, batched):
            stages[-1] = (pdef, stages[-1][1] + keys)
        else:
            stages.append((pdef, keys))
        remaining -= behind.keys()
    return stages


def _timezone(pdef: dg.TimeWindowPartitionsDefinition) -> ZoneInfo:
    return ZoneInfo(pdef.timezone or "UTC")


def latest_complete_key(pdef: dg.TimeWindowPartitionsDefinition, moment: datetime) -> str | None:
    """The last partition whose time window has ended by ``moment``."""
    keys = pdef.get_partition_keys(current_time=moment)
    for key in reversed(keys):
        if pdef.time_window_for_partition_key(key).end <= moment:
            return key
    return None


def partition_keys(
    pdef: dg.PartitionsDefinition, instance: dg.DagsterInstance, window: PartitionWindow | None
) -> list[str]:
    """The keys a stage covers: ``window`` as in :class:`PartitionWindow`; ``None`` = the latest complete
    partition of each definition as of now, in its own calendar and time zone."""
    if isinstance(pdef, dg.DynamicPartitionsDefinition):
        return list(instance.get_dynamic_partitions(pdef.name))
    if isinstance(pdef, dg.TimeWindowPartitionsDefinition):
        if window is None:
            key = latest_complete_key(pdef, datetime.now(timezone.utc))
            return [key] if key else []
        end = datetime.combine(window.end, time.max, tzinfo=_timezone(pdef))
        keys = pdef.get_partition_keys(current_time=end)
        # A key is its window's start formatted in the definition's own zone: parse it (asking Dagster for
        # each key's window costs seconds on the definitions with thousands of keys and holiday exclusions).
        inside = [k for k in keys if window.start <= datetime.strptime(k, pdef.fmt).date() <= window.end]
        if inside:
            return inside
        key = latest_complete_key(pdef, end)
        return [key] if key else []
    return list(pdef.get_partition_keys())


def _root_error(error: object) -> tuple[str, str]:
    """The class name and first line of the innermost user error behind a Dagster step failure."""
    cls_name, message = "", ""
    while error is not None:
        cls_name = getattr(error, "cls_name", "") or cls_name
        message = (getattr(error, "message", "") or message).strip()
        error = getattr(error, "cause", None)
    line = message.splitlines()[0] if message else "failed"
    if ": " in line and line.split(": ", 1)[0].endswith(("Error", "Exception", "Unavailable", "Configured", "Failure", "Load")):
        line = line.split(": ", 1)[1]  # "SourceUnavailable: source x ..." -> "source x ..."
    return cls_name, line


def _steps_by_asset(defs: dg.Definitions) -> dict[dg.AssetKey, str]:
    return {key: ad.node_def.name for ad in defs.assets or [] if isinstance(ad, dg.AssetsDefinition) for key in ad.keys}


def _step_outcomes(result: dg.ExecuteInProcessResult) -> tuple[dict[str, tuple[str, str]], set[dg.AssetKey]]:
    failures: dict[str, tuple[str, str]] = {}
    materialized: set[dg.AssetKey] = set()
    for event in result.all_events:
        if event.is_step_failure and event.step_key:
            data = event.step_failure_data
            failures[event.step_key] = _root_error(data.error if data else None)
        elif event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
            materialized.add(event.asset_key)  # type: ignore[arg-type]
    return failures, materialized


def _settle(
    pending: list[dg.AssetKey],
    materialized: set[dg.AssetKey],
    failures: dict[str, tuple[str, str]],
    step_of: dict[dg.AssetKey, str],
    graph: Any,
    missing: dict[dg.AssetKey, str],
) -> list[dg.AssetKey]:
    """Record why each pending asset did not materialize; return those worth another run.

    One step can hold assets of several domains (the dbt step of a stage): when an upstream step of
    any of them fails, Dagster skips the whole step, also for assets whose own upstream landed. Those
    run again without the failed part; each retry is a strict subset, so the loop ends.
    """
    again: list[dg.AssetKey] = []
    for key in pending:  # topological order: a parent's outcome is known before its children's
        if key in materialized:
            continue
        step = step_of.get(key, "")
        if step in failures:
            if failures[step][0] != NOT_CONFIGURED:
                missing[key] = failures[step][1]
            continue  # an optional source left unset: what depends on it reads its other inputs
        waiting = [p for p in graph.get(key).parent_keys if p in missing]
        if waiting:
            missing[key] = f"upstream {waiting[0].to_user_string()} did not materialize"
        else:
            again.append(key)
    if len(again) == len(pending):  # no progress: nothing failed yet nothing ran
        for key in again:
            missing[key] = "its step did not run"
        return []
    return again


def materialize_all(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    window: PartitionWindow | None,
    *,
    selection: Callable[[dg.AssetKey], bool] = lambda key: True,
    log: Callable[[str], None] = print,
    log_level: str = "CRITICAL",  # the stage report says what failed and why; the full traces are in the run logs
    run_tags: Mapping[str, str] | None = None,  # added to every run (e.g. the scores selection tags)
) -> list[StageResult]:
    # One job over the whole graph, resolved once: every stage runs a subset of it. (dg.materialize would build
    # and validate a fresh Definitions and all its jobs for every stage: ~1 s of CPU each, 20 stages a run.)
    job = dg.Definitions(assets=[*(defs.assets or []), *(defs.asset_checks or [])],
                         resources=dict(defs.resources or {})).resolve_implicit_global_asset_job_def()
    pool_connections(instance)  # one connection per storage, not one per event (Postgres storage)
    graph = defs.resolve_asset_graph()
    step_of = _steps_by_asset(defs)
    results: list[StageResult] = []
    missing: dict[dg.AssetKey, str] = {}  # assets that did not materialize -> why

    for pdef, keys in plan_stages(defs, selection):
        runnable: list[dg.AssetKey] = []
        blocked: dict[str, str] = {}
        for key in keys:
            waiting = [p for p in graph.get(key).parent_keys if p in missing]
            if waiting:
                missing[key] = f"upstream {waiting[0].to_user_string()} did not materialize"
                blocked[key.to_user_string()] = missing[key]
            else:
                runnable.append(key)
        names = [k.to_user_string() for k in keys]
        tags: dict[str, str] = dict(run_tags or {})
        label = "unpartitioned"
        if runnable and pdef is not None:
            partition_list = partition_keys(pdef, instance, window)
            if not partition_list:
                for key in runnable:
                    missing[key] = "no partitions in the window"
                    blocked[key.to_user_string()] = missing[key]
                runnable = []
            else:
                tags.update({RANGE_START_TAG: partition_list[0], RANGE_END_TAG: partition_list[-1]})
                label = f"{len(partition_list)} partitions {partition_list[0]}..{partition_list[-1]}"
        stage = StageResult(names, label, skipped=blocked)
        results.append(stage)
        if not runnable:
            log(f"skip {len(keys)} assets ({', '.join(names[:4])}{'...' if len(names) > 4 else ''}): "
                f"{next(iter(blocked.values()), 'nothing to run')}")
            continue
        log(f"materializing {len(runnable)} assets ({label})")
        started = perf_counter()
        pending = runnable
        while pending:
            result = job.execute_in_process(
                asset_selection=pending,
                instance=instance,
                tags=tags,
                raise_on_error=False,
                run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
            )
            failures, materialized = _step_outcomes(result)
            stage.materialized += sorted(k.to_user_string() for k in pending if k in materialized)
            for step, (cls_name, line) in failures.items():
                (stage.skipped if cls_name == NOT_CONFIGURED else stage.failed)[step] = line
            pending = _settle(pending, materialized, failures, step_of, graph, missing)
            if pending:
                log(f"  again for {len(pending)} assets a failed step held back in a shared step (e.g. dbt)")
        stage.seconds = perf_counter() - started
        for key in runnable:  # held back inside this stage by a failed upstream of its own stage
            name, step = key.to_user_string(), step_of.get(key, "")
            if key in missing and step not in stage.failed and step not in stage.skipped:
                stage.skipped[name] = missing[key]
        log(f"  {stage.status} in {stage.seconds:.1f}s")
        for step, line in {**stage.failed, **stage.skipped}.items():
            log(f"  {step}: {line}")
    return results


def report(results: Sequence[StageResult]) -> str:
    """One line per stage, then one line per failed or skipped step with its reason."""
    lines = []
    for stage in results:
        head = ", ".join(stage.assets[:3]) + (f" +{len(stage.assets) - 3}" if len(stage.assets) > 3 else "")
        lines.append(f"  {stage.status:9} {stage.seconds:6.1f}s  {stage.partitions:40}  {head}")
        for step, line in stage.failed.items():
            lines.append(f"      FAILED  {step}: {line}")
        for step, line in _collapse(stage.skipped.items()):
            lines.append(f"      skipped {step}: {line}")
    return "\n".join(lines)


def _collapse(items: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Group skipped assets that share a reason, so a blocked domain is one line, not fifty."""
    by_reason: dict[str, list[str]] = {}
    for name, reason in items:
        by_reason.setdefault(reason, []).append(name)
    return [
        (", ".join(names[:3]) + (f" +{len(names) - 3} more" if len(names) > 3 else ""), reason)
        for reason, names in by_reason.items()
    ]


def summarize(counts: Sequence[tuple[str, int]]) -> str:
    width = max((len(name) for name, _ in counts), default=10)
    return "\n".join(f"  {name.ljust(width)}  {count:>10,}" for name, count in counts)
