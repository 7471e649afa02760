"""lib/dbt_behavior_flags.py: dbt's Postgres adapter renders its three behavior flags however many adapters a
process built before, and each flag names the source dbt-common's own inspect.stack() walk names."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import dbt.adapters.base.impl as adapter_impl
import pytest
from dbt.adapters.postgres import PostgresAdapter
from dbt_common import behavior_flags
from dbt_common.behavior_flags import BehaviorFlagRendered

from valuation_platform.lib.dbt_behavior_flags import caller_module_name, repair_behavior_flags

POSTGRES_FLAGS = ["require_batched_execution_for_custom_microbatch_strategy", "enable_truthy_nulls_equals_macro",
                  "postgres_skip_autocommit_transaction_statements"]


def dbt_commons_own_default_source() -> Any:
    """``BehaviorFlagRendered._default_source`` as dbt-common ships it, from its own file (the process's class
    may carry the repair already): the module's code run again under its own name and file."""
    path = Path(behavior_flags.__file__)
    namespace: dict[str, Any] = {"__name__": behavior_flags.__name__, "__file__": str(path)}
    exec(compile(path.read_text(), str(path), "exec"), namespace)  # noqa: S102 - the installed library's code
    return namespace["BehaviorFlagRendered"].__dict__["_default_source"]


def postgres_adapter_flags() -> list[tuple[str, str]]:
    """The flags dbt's Postgres adapter renders in its constructor's ``self.behavior = DEFAULT_BASE_...``
    (the rest of the constructor needs a connection profile and touches no flag), with their sources."""
    adapter = PostgresAdapter.__new__(PostgresAdapter)
    adapter.config = SimpleNamespace(flags={})
    adapter.behavior = adapter_impl.DEFAULT_BASE_BEHAVIOR_FLAGS
    return [(f.name, f._behavior_change_event.flag_source) for f in adapter.behavior._flags]


@pytest.fixture
def dbt_as_shipped(monkeypatch: pytest.MonkeyPatch) -> None:
    """dbt's setter, source walk and default list as installed, whatever this process repaired before."""
    behavior = adapter_impl.BaseAdapter.__dict__["behavior"]
    shipped_setter = getattr(behavior.fset, "__wrapped__", behavior.fset)
    monkeypatch.setattr(adapter_impl.BaseAdapter, "behavior", behavior.setter(shipped_setter))
    monkeypatch.setattr(BehaviorFlagRendered, "_default_source", dbt_commons_own_default_source())
    monkeypatch.setattr(adapter_impl, "DEFAULT_BASE_BEHAVIOR_FLAGS", list(adapter_impl.DEFAULT_BASE_BEHAVIOR_FLAGS))


def test_dbt_as_shipped_grows_the_shared_default_with_every_adapter(dbt_as_shipped) -> None:
    """The defect the repair is for: when this fails, dbt fixed it and the repair can go."""
    before = len(adapter_impl.DEFAULT_BASE_BEHAVIOR_FLAGS)
    assert [len(postgres_adapter_flags()) for _ in range(3)] == [before + 1, before + 2, before + 3]


def test_the_repair_renders_the_three_flags_with_dbts_own_sources(dbt_as_shipped) -> None:
    adapter_impl.DEFAULT_BASE_BEHAVIOR_FLAGS[:] = [f for f in adapter_impl.DEFAULT_BASE_BEHAVIOR_FLAGS
                                                   if f["name"] != POSTGRES_FLAGS[2]]
    first = postgres_adapter_flags()  # dbt's own walk, as the first adapter of a process
    assert [name for name, _ in first] == POSTGRES_FLAGS
    assert {source for _, source in first} == {"dbt.adapters.base.impl"}  # where BaseAdapter sets them
    postgres_adapter_flags()  # a second one, unrepaired: the shared default now holds the Postgres flag twice
    repair_behavior_flags()
    repair_behavior_flags()  # idempotent: one wrapper, not a wrapper of a wrapper
    assert [postgres_adapter_flags() for _ in range(3)] == [first] * 3


def flag_source_from(code: str, default_source: Any) -> str:
    """The source given to a flag without one that ``code`` (compiled from a string) renders itself."""
    with pytest.MonkeyPatch.context() as monkey:
        monkey.setattr(BehaviorFlagRendered, "_default_source", default_source)
        namespace: dict[str, Any] = {"BehaviorFlagRendered": BehaviorFlagRendered,
                                     "FLAG": {"name": "f", "default": False, "docs_url": "https://docs"}}
        exec(compile(code, "<string>", "exec"), namespace)  # noqa: S102 - a frame without a file, as xdist's
        return namespace["made"]._behavior_change_event.flag_source


@pytest.mark.parametrize("code", ["made = BehaviorFlagRendered(FLAG, {})",
                                  "def render():\n    return BehaviorFlagRendered(FLAG, {})\nmade = render()"])
def test_frames_compiled_from_a_string_are_passed_over_as_dbt_common_does(code: str) -> None:
    ours = flag_source_from(code, staticmethod(caller_module_name))
    assert ours == flag_source_from(code, dbt_commons_own_default_source()) == __name__
