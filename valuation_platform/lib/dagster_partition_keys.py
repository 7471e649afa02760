"""Time-window partition keys, listed once per partitions definition and last partition.

Dagster lists every key of a time-window partitions definition from its start each time it is asked: for
every unpartitioned step with a partitioned parent (the data-version lookup before the step, and again for each
asset check the step reports) and for every run's partition subsets. Our daily definitions start in 2004-2015,
so each list is 1,800-5,700 keys built one cron step at a time, 17-80 ms a call; a whole-graph run asked ~100
times (~8% of its Python time, measured with py-spy on the tests' demo build).

The list only changes when the last partition does, so it is kept per definition and last partition window,
and a caller gets a copy of its own. The last window is Dagster's own answer for the same current time (the
call's, or the partition-loading context's), and a list is kept only when its last key is that window's key,
so a call that straddles a partition boundary is answered but not kept.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

KEPT_LISTS = 64  # definitions x last partitions held at once; a process has ~10 time-window definitions


def _kept(get_partition_keys: Callable[..., Sequence[str]]) -> Callable[..., Sequence[str]]:
    from dagster._core.definitions.partitions.context import partition_loading_context
    from dagster._time import dst_safe_strftime

    kept: OrderedDict[tuple[int, float], tuple[Any, tuple[str, ...]]] = OrderedDict()
    lock = threading.Lock()  # a code server answers the UI from several threads

    @functools.wraps(get_partition_keys)
    def partition_keys(self: Any, current_time: datetime | None = None,
                       dynamic_partitions_store: Any = None) -> Sequence[str]:
        with partition_loading_context(current_time, dynamic_partitions_store):
            last = self._get_last_partition_window(self._get_current_timestamp())
        if last is None:
            return get_partition_keys(self, current_time, dynamic_partitions_store)
        key = (id(self), last.start.timestamp())
        with lock:
            entry = kept.get(key)
            if entry is not None and entry[0] is self:  # the id of a definition that still lives here
                kept.move_to_end(key)
                return list(entry[1])
        keys = get_partition_keys(self, current_time, dynamic_partitions_store)
        if keys and keys[-1] == dst_safe_strftime(last.start, self.timezone, self.fmt, self.cron_schedule):
            with lock:
                kept[key] = (self, tuple(keys))  # holding the definition keeps its id from being reused
                if len(kept) > KEPT_LISTS:
                    kept.popitem(last=False)
        return keys

    partition_keys.repaired = True  # type: ignore[attr-defined]
    partition_keys.original = get_partition_keys  # type: ignore[attr-defined]
    return partition_keys


def keep_partition_keys() -> None:
    """Install the kept lists on Dagster's TimeWindowPartitionsDefinition (idempotent)."""
    from dagster._core.definitions.partitions.definition.time_window import TimeWindowPartitionsDefinition

    current = TimeWindowPartitionsDefinition.get_partition_keys
    if not getattr(current, "repaired", False):
        TimeWindowPartitionsDefinition.get_partition_keys = _kept(current)  # type: ignore[method-assign]
