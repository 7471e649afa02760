"""Two repairs to how dbt builds an adapter's behavior flags, which it does for every in-process invocation.

1. dbt-adapters (1.24) hands ``BaseAdapter.__init__``'s module-level ``DEFAULT_BASE_BEHAVIOR_FLAGS`` list to the
   ``behavior`` setter, which extends it with the adapter's own flags in place: the list gains the Postgres
   flag on every invocation, so a process's hundredth dbt build renders a hundred flags.
2. dbt-common (1.39) names each flag's source with ``inspect.stack()``, even when the flag names its own: that
   reads the source lines of every frame on the stack, and for each frame without a file (code compiled from
   a string, as pytest-xdist's worker loop is) scans the whole of ``sys.modules``, twice.

Together they made a long-lived process's dbt builds slower one after another: in a test worker, by the end,
about a tenth of every small build. The setter now gets a list of its own (so three flags, however many
adapters came before), and the source is read from each frame's globals: the same answer
(tests/lib/test_dbt_behavior_flags.py compares both with dbt's own), without reading any file.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Any


def caller_module_name() -> str:
    """The first module up the stack that is not dbt-common's behavior_flags, as ``_default_source`` answers."""
    from dbt_common import behavior_flags

    frame: FrameType | None = sys._getframe(1)  # whoever asked: BehaviorFlagRendered.__init__
    while frame is not None:
        name = frame.f_globals.get("__name__")
        # inspect.getmodule finds no module for code compiled from a string ("<string>", "<template>")
        if name != behavior_flags.__name__ and name in sys.modules and not frame.f_code.co_filename.startswith("<"):
            return str(name)
        frame = frame.f_back
    return "Unknown"


def _on_a_copy(set_flags: Callable[[Any, list[Any]], None]) -> Callable[[Any, Sequence[Any]], None]:
    @functools.wraps(set_flags)
    def set_behavior(adapter: Any, flags: Sequence[Any]) -> None:
        own = {flag["name"] for flag in adapter._behavior_flags}
        # a new list, without the adapter's own flags (the setter appends those to what it is given): the same
        # flags whether or not the shared default already grew in this process before the repair
        set_flags(adapter, [flag for flag in flags if flag["name"] not in own])

    set_behavior.repaired = True  # type: ignore[attr-defined]
    return set_behavior


def repair_behavior_flags() -> None:
    """Apply both repairs to the installed dbt (idempotent; call before the process's first dbt command)."""
    from dbt.adapters.base.impl import BaseAdapter
    from dbt_common.behavior_flags import BehaviorFlagRendered

    behavior = BaseAdapter.__dict__["behavior"]
    if not getattr(behavior.fset, "repaired", False):
        BaseAdapter.behavior = behavior.setter(_on_a_copy(behavior.fset))  # type: ignore[attr-defined]
    BehaviorFlagRendered._default_source = staticmethod(caller_module_name)  # type: ignore[method-assign]
